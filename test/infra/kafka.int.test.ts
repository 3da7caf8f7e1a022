import type { Consumer, EachMessagePayload } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { testKafka, uniqueName } from '../support/infra.js';
import { until } from '../../tools/lib/eventually.js';

interface Received {
  member: string;
  key: string;
  seq: number;
}

describe('real Kafka broker', () => {
  const kafka = testKafka();
  const consumers: Consumer[] = [];

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect()));
  });

  it('delivers 300 keyed messages to a two-member group exactly once, in order per key', async () => {
    // Arrange: a 3-partition topic and a group of two members that have both joined.
    const topic = uniqueName('infra-keyed');
    const groupId = uniqueName('infra-group');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const received: Received[] = [];
    const assigned = new Map<string, number>();
    const joinMember = async (member: string): Promise<void> => {
      const consumer = kafka.consumer({ groupId });
      consumers.push(consumer);
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        assigned.set(member, Object.values(e.payload.memberAssignment).flat().length);
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }: EachMessagePayload) => {
          received.push({ member, key: message.key!.toString(), seq: Number(message.value!.toString()) });
        },
      });
    };
    await joinMember('a');
    await joinMember('b');
    await until(
      () => assigned.size === 2 && [...assigned.values()].reduce((x, y) => x + y, 0) === 3,
      'both members assigned, three partitions between them',
      30_000,
      50,
    );

    // Act: 10 keys, 30 messages each, sequence numbers per key.
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const messages = Array.from({ length: 300 }, (_, i) => ({ key: `key-${i % 10}`, value: String(Math.floor(i / 10)) }));
    for (let i = 0; i < messages.length; i += 50) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 50) });
    await producer.disconnect();
    await until(() => received.length >= 300, 'all 300 messages received', 30_000, 50);
    await new Promise((r) => setTimeout(r, 500)); // a duplicate would show up in this window

    // Assert: every message exactly once, each key's sequence in order, and both members did work.
    expect(received).toHaveLength(300);
    const byKey = new Map<string, number[]>();
    for (const r of received) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r.seq]);
    expect(byKey.size).toBe(10);
    for (const seqs of byKey.values()) expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(new Set(received.map((r) => r.member))).toEqual(new Set(['a', 'b']));
  });
});

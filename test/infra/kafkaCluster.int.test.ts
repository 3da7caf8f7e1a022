import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/lib/LocalStack.js';
import { offsetsPartitionOf } from '../../infra/local/lib/partitionLeaders.js';
import { isPortTaken } from '../../infra/local/lib/processes.js';
import { createEvent, serializeEvent, type DomainEvent, eventHeaders, dltTopicOf } from '@orderplatform/shared/contracts';
import { createIdempotentProducer, createKafka, DeadLetterPublisher, ReliableConsumer, provisionTopics } from '@orderplatform/shared/kafka';
import { dbUrl, uniqueName } from '../support/infra.js';
import { eventually, until } from '../../tools/lib/eventually.js';
import { privateStack } from '../support/privateStack.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const KEYS = Array.from({ length: 24 }, (_, i) => `order-${String(i).padStart(2, '0')}`);
const silent = pino({ level: 'silent' });

/** An event whose key is `key` and whose payload carries its place in that key's sequence. */
function sequenced(key: string, seq: number): DomainEvent<'OrderPlaced'> {
  return createEvent(
    'OrderPlaced',
    { orderId: key, customerId: `seq-${seq}`, items: [{ productId: 'p-1', quantity: 1, price: 1 }], totalAmount: 1, currency: 'USD' },
    { source: 'cluster-test', correlationId: `${key}-${seq}` },
  );
}
const message = (event: DomainEvent<'OrderPlaced'>) => ({
  key: event.data.orderId,
  value: serializeEvent(event),
  headers: eventHeaders(event, TRACEPARENT),
});

interface Delivery {
  key: string;
  seq: number;
  partition: number;
  offset: string;
}

async function leadersOf(admin: Admin, topic: string): Promise<Map<number, number>> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  return new Map(topics[0]!.partitions.map((p) => [p.partitionId, p.leader]));
}

/** The same checks for every stream: each (key, seq) read, none twice in the log, each key's offsets in sequence order. */
function expectCompleteAndOrdered(deliveries: Delivery[], sentPerKey: Map<string, number>): void {
  const byOffset = new Map<string, Delivery>();
  for (const d of deliveries) byOffset.set(`${d.partition}:${d.offset}`, d);
  const inLog = [...byOffset.values()];
  const copies = new Map<string, number>();
  for (const d of inLog) copies.set(`${d.key}#${d.seq}`, (copies.get(`${d.key}#${d.seq}`) ?? 0) + 1);
  const expected = [...sentPerKey].flatMap(([key, n]) => Array.from({ length: n }, (_, seq) => `${key}#${seq}`)).sort();
  expect([...copies.keys()].sort()).toEqual(expected); // nothing lost, nothing extra
  expect([...copies].filter(([, n]) => n > 1)).toEqual([]); // no duplicate in the log
  for (const key of sentPerKey.keys()) {
    const seqs = inLog
      .filter((d) => d.key === key)
      .sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)))
      .map((d) => d.seq);
    expect(seqs, `order of ${key}`).toEqual(Array.from({ length: sentPerKey.get(key)! }, (_, i) => i));
  }
}

describe('three-broker local cluster', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'cluster-test-'));
  let stack: LocalStack;
  let admin: Admin;
  let brokers: string[];

  beforeAll(async () => {
    // The database of the shared stack is enough; only Kafka is private here.
    stack = await privateStack(stateDir, { brokers: 3, dbUrl: dbUrl() });
    const up = await stack.up();
    expect(up.started).toEqual(['kafka-1', 'kafka-2', 'kafka-3']);
    brokers = up.kafkaBrokers.split(',');
    admin = new Kafka({ clientId: 'cluster-test-admin', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  }, 240_000);

  afterAll(async () => {
    await admin?.disconnect();
    await stack?.down();
    rmSync(stateDir, { recursive: true, force: true });
  }, 120_000);

  /** Starts the node again (same ports and data) and waits until all three brokers are back in the metadata. */
  async function restart(name: string): Promise<void> {
    const { started } = await stack.up();
    expect(started).toEqual([name]);
  }

  it('runs three brokers that each answer metadata listing all three, and up again starts nothing', async () => {
    // Under a loaded machine a broker can miss a heartbeat right after the start and be fenced for a
    // moment (left out of the metadata; a CI run saw [2, 3]): each node must list all three within 20 s.
    for (const address of brokers) {
      const probe = new Kafka({ clientId: 'probe', brokers: [address], logLevel: logLevel.NOTHING }).admin();
      await probe.connect();
      const nodeIds = await eventually(
        async () => (await probe.describeCluster()).brokers.map((b) => b.nodeId).sort(),
        (ids) => ids.length === 3,
        `brokers listed by ${address}`,
        20_000,
        250,
      ).finally(() => probe.disconnect());
      expect(nodeIds).toEqual([1, 2, 3]);
    }
    expect((await stack.up()).started).toEqual([]);
    expect(stack.status().map((s) => [s.name, s.state])).toEqual([
      ['kafka-1', 'running'],
      ['kafka-2', 'running'],
      ['kafka-3', 'running'],
      ['mongo', 'external'],
    ]);
  });

  it('provisions a topic and its DLT with three replicas and min.insync.replicas=2 from the cluster defaults, once', async () => {
    const topic = uniqueName('cluster-provisioned');
    const kafka = createKafka({ clientId: 'provisioner', brokers, logger: silent });
    await provisionTopics(kafka, [{ topic, numPartitions: 3, withDlt: true }], silent);
    await provisionTopics(kafka, [{ topic, numPartitions: 3, withDlt: true }], silent); // idempotent

    const { topics } = await admin.fetchTopicMetadata({ topics: [topic, dltTopicOf(topic)] });
    for (const t of topics) {
      expect(t.partitions).toHaveLength(3);
      for (const p of t.partitions) expect([p.replicas.length, p.isr.length]).toEqual([3, 3]);
    }
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [topic, dltTopicOf(topic)].map((name) => ({ type: 2, name, configNames: ['min.insync.replicas'] })),
    });
    expect(configs.resources.map((r) => r.configEntries[0]?.configValue)).toEqual(['2', '2']);

    // Explicit settings win over the cluster's defaults.
    const explicit = uniqueName('cluster-explicit');
    await provisionTopics(kafka, [{ topic: explicit, numPartitions: 1 }], silent, { replicationFactor: 2, minInsyncReplicas: 1 });
    const explicitMeta = await admin.fetchTopicMetadata({ topics: [explicit] });
    expect(explicitMeta.topics[0]!.partitions[0]!.replicas).toHaveLength(2);
  });

  it(
    'an idempotent acks=all producer loses, duplicates and reorders nothing while a partition leader is SIGKILLed and restarted',
    { timeout: 240_000 },
    async () => {
      const topic = uniqueName('cluster-failover');
      const kafkaLogs: Array<Record<string, unknown>> = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => kafkaLogs.push(JSON.parse(line) as Record<string, unknown>) });
      const kafka = createKafka({ clientId: 'failover-producer', brokers, logger });
      await provisionTopics(kafka, [{ topic, numPartitions: 3 }], silent);
      const producer = createIdempotentProducer(kafka);
      await producer.connect();

      // The relay's way of publishing: one sendBatch per round with the next event of every key; a round
      // that fails is sent again, unchanged, after a pause.
      const sentPerKey = new Map(KEYS.map((k) => [k, 0]));
      const stats = { rounds: 0, failedSends: 0, resentMessages: 0, slowestRoundMs: 0 };
      let stop = false;
      let lastSuccessAt = 0;
      const sending = (async () => {
        while (!stop) {
          const batch = KEYS.map((key) => sequenced(key, sentPerKey.get(key)!));
          const started = Date.now();
          for (;;) {
            try {
              await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: batch.map(message) }] });
              break;
            } catch (err) {
              console.log(`[cluster] a send failed after ${Date.now() - started} ms and is sent again: ${(err as Error).message}`);
              stats.failedSends += 1;
              stats.resentMessages += batch.length;
              await new Promise((r) => setTimeout(r, 200));
            }
          }
          stats.slowestRoundMs = Math.max(stats.slowestRoundMs, Date.now() - started);
          lastSuccessAt = Date.now();
          for (const key of KEYS) sentPerKey.set(key, sentPerKey.get(key)! + 1);
          stats.rounds += 1;
          await new Promise((r) => setTimeout(r, 20));
        }
      })();

      await until(() => stats.rounds >= 20, 'first rounds sent', 30_000);
      const leaders = await leadersOf(admin, topic);
      const victim = leaders.get(0)!;
      const roundsBefore = stats.rounds;
      const killedAt = Date.now();
      expect(await stack.kill([`kafka-${victim}`])).toEqual([`kafka-${victim}`]);
      await until(() => stats.rounds >= roundsBefore + 2 && lastSuccessAt > killedAt, 'a round sent after the kill', 90_000);
      const recoveredMs = lastSuccessAt - killedAt;
      const movedTo = (await leadersOf(admin, topic)).get(0)!;
      expect(movedTo).not.toBe(victim);
      const roundsWhileDown = stats.rounds;
      await until(() => stats.rounds >= roundsWhileDown + 20, 'rounds sent with two brokers', 60_000);
      await restart(`kafka-${victim}`);
      const roundsAfterRestart = stats.rounds;
      await until(() => stats.rounds >= roundsAfterRestart + 20, 'rounds sent after the restart', 60_000);
      stop = true;
      await sending;
      await producer.disconnect();

      // kafkajs logs each produce request it retries inside a send ("Failed to send messages: …").
      const kafkajsRetries = kafkaLogs.filter((l) => String(l.msg).startsWith('Failed to send messages')).length;
      console.log(
        `[cluster] leader failover: kafka-${victim} (led p0) SIGKILLed; p0 moved to ${movedTo}; first round after the kill ${recoveredMs} ms later; ` +
          `slowest round ${stats.slowestRoundMs} ms; ${stats.rounds} rounds (${stats.rounds * KEYS.length} messages); ` +
          `${stats.failedSends} sends failed and were resent (${stats.resentMessages} messages); kafkajs logged ${kafkajsRetries} failed produce attempts inside sends`,
      );
      // When a send did fail, kafkajs' own account of its attempts explains why.
      if (stats.failedSends > 0)
        console.log(
          kafkaLogs
            .filter((l) => Number(l.level) >= 50)
            .slice(0, 30)
            .map((l) => `${String(l.msg)} retryCount=${String(l.retryCount)} retryTime=${String(l.retryTime)}`)
            .join('\n'),
        );
      const deliveries = await readAll(topic, sentPerKey);
      expectCompleteAndOrdered(deliveries, sentPerKey);
    },
  );

  it(
    'a consumer group member goes on consuming when the broker that coordinates its group is SIGKILLed',
    { timeout: 240_000 },
    async () => {
      const topic = uniqueName('cluster-coordinator');
      const groupId = uniqueName('cluster-group');
      const kafka = createKafka({ clientId: 'coordinator-test', brokers, logger: silent });
      await provisionTopics(kafka, [{ topic, numPartitions: 3, withDlt: true }], silent);
      const producer = createIdempotentProducer(kafka);
      await producer.connect();
      const deliveries: Delivery[] = [];
      const consumer = new ReliableConsumer({
        kafka,
        groupId,
        topics: [topic],
        logger: silent,
        deadLetters: new DeadLetterPublisher(producer),
      }).on('OrderPlaced', async (event, meta) => {
        deliveries.push({
          key: event.data.orderId,
          seq: Number(event.data.customerId.slice(4)),
          partition: meta.partition,
          offset: meta.offset,
        });
      });
      const sentPerKey = new Map(KEYS.map((k) => [k, 0]));
      const sendRound = async () => {
        const batch = KEYS.map((key) => sequenced(key, sentPerKey.get(key)!));
        for (;;) {
          try {
            await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: batch.map(message) }] });
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 200));
          }
        }
        for (const key of KEYS) sentPerKey.set(key, sentPerKey.get(key)! + 1);
      };
      const total = () => [...sentPerKey.values()].reduce((a, b) => a + b, 0);
      const seen = () => new Set(deliveries.map((d) => `${d.partition}:${d.offset}`)).size;
      try {
        await consumer.start();
        for (let i = 0; i < 5; i++) await sendRound();
        await until(() => seen() === total(), 'first messages consumed', 60_000);

        const offsetsTopic = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
        for (const p of offsetsTopic.topics[0]!.partitions) expect(p.replicas).toHaveLength(3);
        const coordinatorPartition = offsetsPartitionOf(groupId, offsetsTopic.topics[0]!.partitions.length);
        const coordinator = (await leadersOf(admin, '__consumer_offsets')).get(coordinatorPartition)!;
        const joinsBefore = consumer.groupJoins;

        const killedAt = Date.now();
        await stack.kill([`kafka-${coordinator}`]);
        for (let i = 0; i < 5; i++) await sendRound();
        await until(() => seen() === total(), 'messages sent after the coordinator died consumed', 90_000);
        const caughtUpMs = Date.now() - killedAt;
        const newCoordinator = (await leadersOf(admin, '__consumer_offsets')).get(coordinatorPartition)!;
        expect(newCoordinator).not.toBe(coordinator);

        await restart(`kafka-${coordinator}`);
        for (let i = 0; i < 5; i++) await sendRound();
        await until(() => seen() === total(), 'messages sent after the restart consumed', 60_000);
        expectCompleteAndOrdered(deliveries, sentPerKey);
        console.log(
          `[cluster] coordinator move: kafka-${coordinator} (coordinator of ${groupId}) SIGKILLed, coordinator now ${newCoordinator}; ` +
            `messages sent after the kill consumed within ${caughtUpMs} ms; group joins ${joinsBefore} → ${consumer.groupJoins}; ` +
            `${deliveries.length - seen()} redeliveries of already handled offsets`,
        );
      } finally {
        await consumer.stop();
        await producer.disconnect();
      }
    },
  );

  it('refuses to start when a port of one of the nodes is held by another process, and names the node', async () => {
    const otherDir = mkdtempSync(path.join(tmpdir(), 'cluster-blocked-'));
    const other = await privateStack(otherDir, { brokers: 3, dbUrl: dbUrl() });
    const [, second] = other.kafkaNodes;
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(second!.ports[1], '127.0.0.1', resolve));
    try {
      await expect(other.up()).rejects.toThrow(`kafka-2: port 127.0.0.1:${second!.ports[1]} is already in use by another process`);
      expect(await isPortTaken(other.kafkaNodes[0]!.ports[0]!)).toBe(false); // nothing was started
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  /** Reads the whole topic with a fresh group of the project's consumer. */
  async function readAll(topic: string, sentPerKey: Map<string, number>): Promise<Delivery[]> {
    const kafka = createKafka({ clientId: 'reader', brokers, logger: silent });
    const producer = createIdempotentProducer(kafka);
    const deliveries: Delivery[] = [];
    const consumer = new ReliableConsumer({
      kafka,
      groupId: uniqueName('reader'),
      topics: [topic],
      logger: silent,
      deadLetters: new DeadLetterPublisher(producer),
    }).on('OrderPlaced', async (event, meta) => {
      deliveries.push({
        key: event.data.orderId,
        seq: Number(event.data.customerId.slice(4)),
        partition: meta.partition,
        offset: meta.offset,
      });
    });
    const total = [...sentPerKey.values()].reduce((a, b) => a + b, 0);
    await producer.connect();
    await consumer.start();
    try {
      // Every message read, then a little longer so a duplicate in the log would show up too.
      await until(() => new Set(deliveries.map((d) => `${d.partition}:${d.offset}`)).size >= total, `all ${total} messages read`, 60_000);
      await new Promise((r) => setTimeout(r, 1_000));
    } finally {
      await consumer.stop();
      await producer.disconnect();
    }
    return deliveries;
  }
});

import { Partitioners, type Kafka, type PartitionMetadata, type Producer, type ProducerBatch, type RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { onePartitionPerRequest } from '../src/kafka/onePartitionPerRequest.js';

const partitions = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionId,
    leader: (partitionId % 3) + 1,
    replicas: [1, 2, 3],
    isr: [1, 2, 3],
    offlineReplicas: [],
    partitionErrorCode: 0,
  }));

/** A kafkajs producer double that records each produce call and answers per partition (or fails the ones named). */
function fakes(opts: { failPartitions?: number[] } = {}) {
  const calls: ProducerBatch[] = [];
  const metadataRequests: string[][] = [];
  const producer = {
    sendBatch: async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
      calls.push(batch);
      const { topic, messages } = batch.topicMessages![0]!;
      const partition = messages[0]!.partition!;
      await new Promise((r) => setTimeout(r, 5));
      if (opts.failPartitions?.includes(partition)) throw new Error(`leader of ${partition} gone`);
      return [{ topicName: topic, partition, errorCode: 0, baseOffset: '0' }];
    },
    disconnect: async () => undefined,
  } as unknown as Producer;
  const kafka = {
    admin: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      fetchTopicMetadata: async ({ topics }: { topics: string[] }) => {
        metadataRequests.push(topics);
        return { topics: topics.map((name) => ({ name, partitions: partitions(3) })) };
      },
    }),
  } as unknown as Kafka;
  return { calls, metadataRequests, producer: onePartitionPerRequest(producer, kafka) };
}

const keys = Array.from({ length: 30 }, (_, i) => `order-${i}`);

describe('one partition per produce request', () => {
  it('sends each partition of a batch in its own request, on the partition kafkajs itself would pick for the key', async () => {
    const { calls, producer } = fakes();
    const messages = keys.map((key, i) => ({ key, value: `v${i}` }));

    const result = await producer.sendBatch({
      acks: -1,
      topicMessages: [
        { topic: 'orders', messages },
        { topic: 'other', messages: [{ key: 'x', value: 'y' }] },
      ],
    });

    for (const call of calls) {
      expect(call.acks).toBe(-1);
      expect(call.topicMessages).toHaveLength(1);
      expect(new Set(call.topicMessages![0]!.messages.map((m) => m.partition)).size).toBe(1);
    }
    const kafkajsChoice = Partitioners.DefaultPartitioner();
    const sent = calls.flatMap((c) => c.topicMessages![0]!.messages.map((m) => [c.topicMessages![0]!.topic, m.key, m.partition]));
    expect(sent.filter(([topic]) => topic === 'orders')).toEqual(
      expect.arrayContaining(
        messages.map((m) => ['orders', m.key, kafkajsChoice({ topic: 'orders', partitionMetadata: partitions(3), message: m })]),
      ),
    );
    expect(sent).toHaveLength(31);
    expect(calls.length).toBe(result.length);
    // Within a partition the messages keep their order.
    const p0 = calls.find((c) => c.topicMessages![0]!.topic === 'orders' && c.topicMessages![0]!.messages[0]!.partition === 0)!;
    const values = p0.topicMessages![0]!.messages.map((m) => Number(String(m.value).slice(1)));
    expect(values).toEqual([...values].sort((a, b) => a - b));
  });

  it('when one partition fails, fails the send only after the other partitions have settled', async () => {
    const { calls, producer } = fakes({ failPartitions: [1] });
    await expect(producer.send({ topic: 'orders', acks: -1, messages: keys.map((key) => ({ key, value: key })) })).rejects.toThrow(
      'leader of 1 gone',
    );
    expect(calls.map((c) => c.topicMessages![0]!.messages[0]!.partition).sort()).toEqual([0, 1, 2]);
  });

  it('reads topic metadata once and again after a failed send', async () => {
    const ok = fakes();
    await ok.producer.send({ topic: 'orders', messages: [{ key: 'a', value: '1' }] });
    await ok.producer.send({ topic: 'orders', messages: [{ key: 'b', value: '2' }] });
    expect(ok.metadataRequests).toEqual([['orders']]);

    const failing = fakes({ failPartitions: [0, 1, 2] });
    await expect(failing.producer.send({ topic: 'orders', messages: [{ key: 'a', value: '1' }] })).rejects.toThrow();
    await expect(failing.producer.send({ topic: 'orders', messages: [{ key: 'a', value: '1' }] })).rejects.toThrow();
    expect(failing.metadataRequests).toEqual([['orders'], ['orders']]);
  });
});

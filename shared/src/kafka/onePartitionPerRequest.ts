import {
  Partitioners,
  type Admin,
  type Kafka,
  type Message,
  type PartitionMetadata,
  type Producer,
  type ProducerBatch,
  type ProducerRecord,
  type RecordMetadata,
} from 'kafkajs';

const METADATA_MAX_AGE_MS = 60_000;

/**
 * Wraps an idempotent kafkajs producer so that each produce request carries one topic-partition.
 *
 * Why: kafkajs 2.2.4 (sendMessages.js) remembers which *broker* answered a multi-partition send and,
 * when it retries after one broker failed, skips every broker it thinks answered. After a leader change
 * that is wrong both ways: a partition whose leadership moved to a broker that had answered for other
 * partitions is never re-sent (silent loss, tulios/kafkajs#1303), and brokers whose client object was
 * replaced by the metadata refresh get their partitions again under new sequence numbers (duplicates in
 * the log: the three-broker test saw six). With one partition per request a retry re-sends exactly the
 * partition that failed, under the sequence numbers kafkajs rolled back, so the broker's idempotence
 * check drops a batch that had been written before its leader died.
 *
 * Partitions are chosen here with kafkajs' own DefaultPartitioner (murmur2 of the key, as before), from
 * topic metadata read through an admin client and kept for a minute. The requests of one send run in
 * parallel (kafkajs still sends one at a time per broker); the send settles only when all have, and
 * fails if any failed.
 */
export function onePartitionPerRequest(producer: Producer, kafka: Kafka): Producer {
  const partitioner = Partitioners.DefaultPartitioner();
  const admin: Admin = kafka.admin();
  let adminConnected: Promise<void> | undefined;
  const metadata = new Map<string, { at: number; partitions: PartitionMetadata[] }>();

  async function partitionsOf(topic: string): Promise<PartitionMetadata[]> {
    const cached = metadata.get(topic);
    if (cached && Date.now() - cached.at < METADATA_MAX_AGE_MS) return cached.partitions;
    adminConnected ??= admin.connect().catch((err: unknown) => {
      adminConnected = undefined;
      throw err;
    });
    await adminConnected;
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = topics[0]?.partitions ?? [];
    if (partitions.length === 0) throw new Error(`no partitions known for topic ${topic}`);
    metadata.set(topic, { at: Date.now(), partitions });
    return partitions;
  }

  async function sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    const { topicMessages = [], ...options } = batch;
    const groups = new Map<string, { topic: string; partition: number; messages: Message[] }>();
    for (const { topic, messages } of topicMessages) {
      const partitionMetadata = await partitionsOf(topic);
      for (const message of messages) {
        const partition = partitioner({ topic, partitionMetadata, message });
        const group = groups.get(`${topic}\0${partition}`) ?? { topic, partition, messages: [] };
        group.messages.push({ ...message, partition });
        groups.set(`${topic}\0${partition}`, group);
      }
    }
    // allSettled: when one partition fails, the others' requests still finish before the send fails, so a
    // caller that sends again never races requests of the failed send.
    const results = await Promise.allSettled(
      [...groups.values()].map((g) => producer.sendBatch({ ...options, topicMessages: [{ topic: g.topic, messages: g.messages }] })),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      for (const topic of groups.values()) metadata.delete(topic.topic);
      throw failed.reason;
    }
    return results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
  }

  return {
    ...producer,
    send: ({ topic, messages, ...options }: ProducerRecord) => sendBatch({ ...options, topicMessages: [{ topic, messages }] }),
    sendBatch,
    disconnect: async () => {
      await producer.disconnect();
      if (adminConnected) await admin.disconnect().catch(() => undefined);
      adminConnected = undefined;
    },
  };
}

import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Logger } from 'pino';
import { dltTopicOf } from '../contracts/topics.js';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** Also create `<topic>.DLT` (for topics this service consumes). */
  withDlt?: boolean;
}

/** How created topics are replicated. Unset values take the cluster's defaults (default.replication.factor, min.insync.replicas). */
export interface TopicReplication {
  replicationFactor?: number;
  minInsyncReplicas?: number;
}

/**
 * Creates the topics a service needs (and their DLTs) if they are missing; safe to run on every start
 * (SPEC §4). Existing topics are left as they are; one with fewer replicas than asked for is logged.
 */
export async function provisionTopics(kafka: Kafka, specs: TopicSpec[], log: Logger, replication: TopicReplication = {}): Promise<void> {
  const { replicationFactor, minInsyncReplicas } = replication;
  const configEntries = minInsyncReplicas === undefined ? [] : [{ name: 'min.insync.replicas', value: String(minInsyncReplicas) }];
  const wanted = specs
    .flatMap((spec) => [
      { topic: spec.topic, numPartitions: spec.numPartitions },
      ...(spec.withDlt ? [{ topic: dltTopicOf(spec.topic), numPartitions: spec.numPartitions }] : []),
    ])
    // -1 asks the broker for its default.replication.factor (KIP-464).
    .map((t) => ({ ...t, replicationFactor: replicationFactor ?? -1, configEntries }));
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      // kafkajs' own waitForLeaders gives up when the broker it asks has not heard of the new topic yet,
      // which on a cluster is normal for a few milliseconds (the controller creates it, the brokers
      // learn it one by one). Until every broker knows, a producer or consumer that asks a late one
      // fails with UNKNOWN_TOPIC_OR_PARTITION, so wait for all of them.
      await admin.createTopics({ topics: missing, waitForLeaders: false });
      await waitUntilEveryBrokerKnows(
        admin,
        missing.map((t) => t.topic),
      );
      log.info(
        {
          topics: missing.map((t) => t.topic),
          replicationFactor: replicationFactor ?? 'cluster default',
          minInsyncReplicas: minInsyncReplicas ?? 'cluster default',
        },
        'Created Kafka topics',
      );
    }
    const present = wanted.filter((t) => existing.has(t.topic));
    if (replicationFactor !== undefined && present.length > 0) {
      const { topics } = await admin.fetchTopicMetadata({ topics: present.map((t) => t.topic) });
      const under = topics.filter((t) => t.partitions.some((p) => p.replicas.length < replicationFactor)).map((t) => t.name);
      if (under.length > 0)
        log.warn(
          { topics: under, replicationFactor },
          'Existing Kafka topics have fewer replicas than KAFKA_REPLICATION_FACTOR; they are not changed',
        );
    }
  } finally {
    await admin.disconnect();
  }
}

async function waitUntilEveryBrokerKnows(admin: Admin, topics: string[]): Promise<void> {
  const { brokers } = await admin.describeCluster();
  await Promise.all(
    brokers.map(async ({ host, port }) => {
      const probe = new Kafka({ clientId: 'topic-provisioner', brokers: [`${host}:${port}`], logLevel: logLevel.NOTHING }).admin();
      await probe.connect();
      try {
        await waitForLeaders(probe, topics);
      } finally {
        await probe.disconnect();
      }
    }),
  );
}

/** Until every partition of the topics has a leader, tolerating a broker whose metadata lags behind the controller. */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const { topics: described } = await admin.fetchTopicMetadata({ topics });
      if (described.length === topics.length && described.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)))
        return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `Kafka topics ${topics.join(', ')} have no leader ${timeoutMs} ms after they were created${lastError instanceof Error ? `: ${lastError.message}` : ''}`,
  );
}

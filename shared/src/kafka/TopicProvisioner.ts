import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { dltTopicOf } from '../contracts/topics.js';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** Also create `<topic>.DLT` (for topics this service consumes). */
  withDlt?: boolean;
}

/** Creates the topics a service needs if they are missing; safe to run on every start (SPEC §4). */
export async function provisionTopics(kafka: Kafka, specs: TopicSpec[], log: Logger, replicationFactor = 1): Promise<void> {
  const wanted = specs.flatMap((spec) => [
    { topic: spec.topic, numPartitions: spec.numPartitions, replicationFactor },
    ...(spec.withDlt ? [{ topic: dltTopicOf(spec.topic), numPartitions: spec.numPartitions, replicationFactor }] : []),
  ]);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing, waitForLeaders: true });
      log.info({ topics: missing.map((t) => t.topic) }, 'Created Kafka topics');
    }
  } finally {
    await admin.disconnect();
  }
}

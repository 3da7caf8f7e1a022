import { Kafka, logLevel } from 'kafkajs';

/** Kafka's own partitioning of group ids over __consumer_offsets (Utils.abs(groupId.hashCode()) % partitions). */
export function offsetsPartitionOf(groupId: string, partitions: number): number {
  let hash = 0;
  for (let i = 0; i < groupId.length; i++) hash = (Math.imul(31, hash) + groupId.charCodeAt(i)) | 0;
  return (hash & 0x7fffffff) % partitions;
}

export interface PartitionLeaders {
  topic: string;
  partitions: Array<{ partition: number; leader: number; replicas: number[]; isr: number[] }>;
}

/** Leader, replicas and in-sync replicas of each partition of the named topics that exist. */
export async function partitionLeaders(
  brokers: string,
  topics: string[],
): Promise<{ brokers: Array<{ nodeId: number; address: string }>; topics: PartitionLeaders[] }> {
  const admin = new Kafka({
    clientId: 'local-stack-status',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    retry: { retries: 1 },
  }).admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    const existing = new Set(await admin.listTopics());
    const wanted = topics.filter((topic) => existing.has(topic));
    const metadata = wanted.length > 0 ? await admin.fetchTopicMetadata({ topics: wanted }) : { topics: [] };
    return {
      brokers: cluster.brokers.map((b) => ({ nodeId: b.nodeId, address: `${b.host}:${b.port}` })).sort((a, b) => a.nodeId - b.nodeId),
      topics: [...metadata.topics]
        .sort((a, b) => topics.indexOf(a.name) - topics.indexOf(b.name))
        .map((t) => ({
          topic: t.name,
          partitions: t.partitions
            .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr }))
            .sort((a, b) => a.partition - b.partition),
        })),
    };
  } finally {
    await admin.disconnect();
  }
}

import { randomUUID } from 'node:crypto';
import { AssignerProtocol, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import { DLT_SUFFIX } from '../contracts/topics.js';
import { HEADERS, readHeaders } from '../contracts/headers.js';
import { DLT_HEADERS } from './DeadLetterPublisher.js';

export interface DeadLetterRecord {
  dltTopic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  originalTopic: string;
  eventType?: string;
  eventId?: string;
  errorClass?: string;
  errorMessage?: string;
  attempts?: number;
  failedAt?: string;
  /** The consumer group that refused it (one DLT per topic is shared by every group consuming the topic). */
  consumerGroup?: string;
}

export interface DeadLetterFilter {
  eventType?: string;
  eventId?: string;
  errorClass?: string;
  /** The message key, i.e. the orderId. */
  key?: string;
  /** Only what this consumer group refused; the replay is then handled by that group alone. */
  group?: string;
}

const READER_GROUP_PREFIX = 'topic-reader-';

/** Every message in `topic` now (from the beginning up to the end offsets at the call), read without committing offsets anywhere. */
export async function readTopicToEnd(kafka: Kafka, topic: string): Promise<Array<{ partition: number; message: KafkaMessage }>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const remaining = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high) - 1]));
  if (remaining.size === 0) return [];

  const groupId = `${READER_GROUP_PREFIX}${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  const read: Array<{ partition: number; message: KafkaMessage }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      // A crash kafkajs recovers from by itself (e.g. the coordinator still loading after a broker restart) is not fatal here.
      consumer.on(consumer.events.CRASH, (e) => {
        if (!e.payload.restart) reject(e.payload.error);
      });
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const last = remaining.get(partition);
          if (last === undefined || Number(message.offset) > last) return;
          read.push({ partition, message });
          if (Number(message.offset) >= last) remaining.delete(partition);
          if (remaining.size === 0) resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
    const cleanup = kafka.admin();
    await cleanup.connect();
    await cleanup.deleteGroups([groupId]).catch(() => undefined);
    await cleanup.disconnect();
  }
  return read.sort((a, b) => a.partition - b.partition || Number(a.message.offset) - Number(b.message.offset));
}

export async function readDeadLetters(kafka: Kafka, dltTopic: string): Promise<DeadLetterRecord[]> {
  return (await readTopicToEnd(kafka, dltTopic)).map(({ partition, message }) => toRecord(dltTopic, partition, message));
}

export function matches(record: DeadLetterRecord, filter: DeadLetterFilter): boolean {
  return (
    (filter.eventType === undefined || record.eventType === filter.eventType) &&
    (filter.eventId === undefined || record.eventId === filter.eventId) &&
    (filter.errorClass === undefined || record.errorClass === filter.errorClass) &&
    (filter.key === undefined || record.key === filter.key) &&
    (filter.group === undefined || record.consumerGroup === filter.group)
  );
}

/**
 * The consumer groups that read `topic`: those with a member subscribed to it now, or with an
 * offset committed on it (a group that is down still reads what is published meanwhile later).
 */
export async function consumingGroups(kafka: Kafka, topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const ids = groups.filter((g) => g.protocolType === 'consumer' && !g.groupId.startsWith(READER_GROUP_PREFIX)).map((g) => g.groupId);
    if (ids.length === 0) return [];
    const subscribed = new Set(
      (await admin.describeGroups(ids)).groups
        .filter((g) => g.members.some((m) => subscribedTopics(m.memberMetadata).includes(topic)))
        .map((g) => g.groupId),
    );
    const committed = await Promise.all(
      ids
        .filter((id) => !subscribed.has(id))
        .map(async (groupId) => {
          const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
          return offsets?.partitions.some((p) => Number(p.offset) >= 0) ? [groupId] : [];
        }),
    );
    return [...subscribed, ...committed.flat()].sort();
  } finally {
    await admin.disconnect();
  }
}

function subscribedTopics(memberMetadata: Buffer): string[] {
  try {
    return AssignerProtocol.MemberMetadata.decode(memberMetadata)?.topics ?? [];
  } catch {
    return []; // not the consumer protocol's layout: its committed offsets still tell
  }
}

/** A selected dead letter and the groups, besides the one that refused it, that a replay would hand it to again. */
export interface ReplayReach {
  record: DeadLetterRecord;
  /** Other groups consuming the original topic that would process it again (none when replayed for one group). */
  alsoReaches: string[];
  /** Those of `alsoReaches` that dead-lettered the same event too: they will most likely dead-letter it again. */
  refusedBy: string[];
}

/**
 * What a replay would multiply. Without a group every consumer of the original topic receives the
 * message again; with one, the others skip it (`dlt.replay.group`). `records` is the whole DLT.
 */
export function replayReach(
  selected: DeadLetterRecord[],
  records: DeadLetterRecord[],
  consumers: string[],
  group: string | undefined,
): ReplayReach[] {
  return selected.map((record) => {
    if (group !== undefined) return { record, alsoReaches: [], refusedBy: [] };
    const alsoReaches = consumers.filter((g) => g !== record.consumerGroup);
    const refusers = new Set(records.filter((r) => r.eventId !== undefined && r.eventId === record.eventId).map((r) => r.consumerGroup));
    return { record, alsoReaches, refusedBy: alsoReaches.filter((g) => refusers.has(g)) };
  });
}

/**
 * Re-publishes matching dead letters to their original topic: same key, value and original
 * headers, plus where it came from. Consumers dedupe by eventId, so replaying twice is harmless.
 * With `filter.group`, only that group's dead letters, marked `dlt.replay.group` so the other
 * groups consuming the topic skip them: a message several groups refused comes back to one only.
 */
export async function replayDeadLetters(
  producer: Producer,
  records: DeadLetterRecord[],
  filter: DeadLetterFilter,
  dryRun: boolean,
): Promise<DeadLetterRecord[]> {
  const selected = records.filter((r) => matches(r, filter));
  if (dryRun || selected.length === 0) return selected;
  for (const r of selected) {
    const original = Object.fromEntries(Object.entries(r.headers).filter(([name]) => !name.startsWith('dlt.')));
    await producer.send({
      topic: r.originalTopic,
      acks: -1,
      messages: [
        {
          key: r.key,
          value: r.value,
          headers: {
            ...original,
            'dlt.replay.of': `${r.dltTopic}/${r.partition}/${r.offset}`,
            'dlt.replayed.at': new Date().toISOString(),
            ...(filter.group === undefined ? {} : { [DLT_HEADERS.replayGroup]: filter.group }),
          },
        },
      ],
    });
  }
  return selected;
}

function toRecord(dltTopic: string, partition: number, message: KafkaMessage): DeadLetterRecord {
  const headers = readHeaders(message.headers);
  let eventType = headers[HEADERS.eventType];
  let eventId = headers[HEADERS.eventId];
  if (!eventType || !eventId) {
    try {
      const body = JSON.parse(message.value?.toString() ?? '') as { eventType?: unknown; eventId?: unknown };
      eventType ??= typeof body.eventType === 'string' ? body.eventType : undefined;
      eventId ??= typeof body.eventId === 'string' ? body.eventId : undefined;
    } catch {
      // Not JSON: the very reason it is here; it is still listed and replayable.
    }
  }
  const attempts = headers[DLT_HEADERS.attempts];
  return {
    dltTopic,
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? null,
    value: message.value,
    headers,
    originalTopic: headers[DLT_HEADERS.originalTopic] ?? dltTopic.replace(new RegExp(`${DLT_SUFFIX.replace('.', '\\.')}$`), ''),
    eventType,
    eventId,
    errorClass: headers[DLT_HEADERS.errorClass],
    errorMessage: headers[DLT_HEADERS.errorMessage],
    attempts: attempts === undefined ? undefined : Number(attempts),
    failedAt: headers[DLT_HEADERS.failedAt],
    consumerGroup: headers[DLT_HEADERS.consumerGroup],
  };
}

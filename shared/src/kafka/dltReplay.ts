import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
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
}

export interface DeadLetterFilter {
  eventType?: string;
  eventId?: string;
  errorClass?: string;
  /** The message key, i.e. the orderId. */
  key?: string;
}

/** Every message in `topic` now (from the beginning up to the end offsets at the call), read without committing offsets anywhere. */
export async function readTopicToEnd(kafka: Kafka, topic: string): Promise<Array<{ partition: number; message: KafkaMessage }>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const remaining = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high) - 1]));
  if (remaining.size === 0) return [];

  const groupId = `topic-reader-${randomUUID()}`;
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
    (filter.key === undefined || record.key === filter.key)
  );
}

/**
 * Re-publishes matching dead letters to their original topic: same key, value and original
 * headers, plus where it came from. Consumers dedupe by eventId, so replaying twice is harmless.
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
      messages: [{ key: r.key, value: r.value, headers: { ...original, 'dlt.replay.of': `${r.dltTopic}/${r.partition}/${r.offset}`, 'dlt.replayed.at': new Date().toISOString() } }],
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
  };
}

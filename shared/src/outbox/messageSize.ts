import type { OutboxEntry } from './outboxSchema.js';

/**
 * Kafka's own default for `message.max.bytes` / `max.message.bytes` (1 MiB + 12 bytes of log
 * overhead), used until the relay has read the real limit of a topic from the broker.
 */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/** A record batch's fixed header in the v2 message format. */
export const RECORD_BATCH_OVERHEAD_BYTES = 61;

/**
 * An upper bound of an entry's size inside a v2 record batch: its key, value and headers plus the
 * per-record varints (length, attributes, timestamp and offset deltas, key/value/header lengths).
 */
export function recordBytes(entry: Pick<OutboxEntry, 'key' | 'value' | 'headers'>): number {
  let bytes = 24 + Buffer.byteLength(entry.key) + Buffer.byteLength(entry.value);
  for (const [name, value] of Object.entries(entry.headers)) bytes += 10 + Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

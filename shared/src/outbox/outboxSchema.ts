import { Schema } from 'mongoose';

/** One event waiting in its aggregate's document until the relay has published it. */
export interface OutboxEntry {
  eventId: string;
  eventType: string;
  topic: string;
  key: string;
  /** The serialized envelope, stored as written so what is published is byte-for-byte what was committed. */
  value: string;
  headers: Record<string, string>;
  createdAt: Date;
}

/** Fields the plugin adds to an aggregate's documents. */
export interface OutboxFields {
  outbox?: OutboxEntry[];
  /** While set in the future, the instance named by outboxLeaseOwner is publishing this document's events. */
  outboxLeaseUntil?: Date | null;
  outboxLeaseOwner?: string | null;
  /** Set when the broker refused this document's events for good (e.g. too large): the relay skips it until cleared. */
  outboxParkedAt?: Date | null;
  outboxParkedReason?: string | null;
}

const entrySchema = new Schema<OutboxEntry>(
  {
    eventId: { type: String, required: true },
    eventType: { type: String, required: true },
    topic: { type: String, required: true },
    key: { type: String, required: true },
    value: { type: String, required: true },
    headers: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
  },
  { _id: false },
);

/**
 * Transactional outbox for a mongoose aggregate (SPEC §5): a state change and the events it causes
 * are one single-document write — the events sit in the document's `outbox` array until published.
 * No multi-document transaction is needed, on the local server or on real MongoDB.
 */
export function outboxPlugin(schema: Schema): void {
  schema.add({
    outbox: { type: [entrySchema], default: undefined },
    outboxLeaseUntil: { type: Date, default: null },
    outboxLeaseOwner: { type: String, default: null },
    outboxParkedAt: { type: Date, default: undefined },
    outboxParkedReason: { type: String, default: undefined },
  });
  // Multikey: only documents with pending entries have index keys, so the recovery scan stays cheap.
  schema.index({ 'outbox.createdAt': 1 });
}

import type { Channel } from '../../domain/Channel.js';
import type { Notification, NotificationDraft, SkippedDraft } from '../../domain/Notification.js';

/** A record for `insertMany`: PENDING with its send lease taken (as `createLeased`), or SKIPPED (as `createSkipped`). */
export type NewRecord =
  { kind: 'leased'; draft: NotificationDraft; leaseId: string; until: Date } | { kind: 'skipped'; draft: SkippedDraft };

/** A settlement for `settleMany`: SENT (as `markSent`) or FAILED (as `markFailed`, only while `leaseId` holds the lease). */
export type Settlement = { id: string; sentAt: Date } | { id: string; leaseId: string; error: string };

export interface NotificationQuery {
  orderId?: string;
  customerId?: string;
  limit: number;
}

/** Notification records; at most one per (eventId, channel), whatever the concurrency. */
export interface NotificationRepository {
  /** Inserts a PENDING record unless one exists for (eventId, channel); returns the stored record either way. */
  createIfAbsent(draft: NotificationDraft): Promise<Notification>;
  /**
   * The first delivery's one write: inserts the PENDING record with the send lease already taken by
   * `leaseId` until `until` (one attempt counted). Null when a record for (eventId, channel) exists.
   */
  createLeased(draft: NotificationDraft, leaseId: string, until: Date): Promise<Notification | null>;
  /**
   * `createLeased` and `createSkipped` for many records in one write: per record (same index) the stored
   * record when this call inserted it, null when one for its (eventId, channel) existed already.
   */
  insertMany(records: readonly NewRecord[]): Promise<Array<Notification | null>>;
  /** `markSent` and `markFailed` for many records in one write, with the same rules. */
  settleMany(settlements: readonly Settlement[]): Promise<void>;
  /** Inserts a SKIPPED record (final, never leased); null when a record for (eventId, channel) exists. */
  createSkipped(draft: SkippedDraft): Promise<Notification | null>;
  /**
   * Takes the send lease of an open (PENDING or FAILED) record whose previous lease (if any) has run
   * out, counting one attempt. Null when it is settled (SENT, SKIPPED) or someone else holds a live lease.
   */
  acquireLease(id: string, leaseId: string, now: Date, until: Date): Promise<Notification | null>;
  findById(id: string): Promise<Notification | null>;
  findByEvent(eventId: string, channel: Channel): Promise<Notification | null>;
  /** Every record of these events (any channel), in one read. */
  findByEvents(eventIds: readonly string[]): Promise<Notification[]>;
  /** Idempotent: only an open record becomes SENT; a record already SENT keeps its first sentAt. */
  markSent(id: string, sentAt: Date): Promise<void>;
  /** Only while the caller still holds the lease, so a late failure never overwrites another sender's outcome. */
  markFailed(id: string, leaseId: string, error: string): Promise<void>;
  /** Newest first. */
  find(query: NotificationQuery): Promise<Notification[]>;
  /** True when there is no notification record at all. */
  isEmpty(): Promise<boolean>;
}

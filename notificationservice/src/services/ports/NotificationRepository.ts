import type { Channel } from '../../domain/Channel.js';
import type { Notification, NotificationDraft, SkippedDraft } from '../../domain/Notification.js';

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
  /** Inserts a SKIPPED record (final, never leased); null when a record for (eventId, channel) exists. */
  createSkipped(draft: SkippedDraft): Promise<Notification | null>;
  /**
   * Takes the send lease of an open (PENDING or FAILED) record whose previous lease (if any) has run
   * out, counting one attempt. Null when it is settled (SENT, SKIPPED) or someone else holds a live lease.
   */
  acquireLease(id: string, leaseId: string, now: Date, until: Date): Promise<Notification | null>;
  findById(id: string): Promise<Notification | null>;
  findByEvent(eventId: string, channel: Channel): Promise<Notification | null>;
  /** Idempotent: only an open record becomes SENT; a record already SENT keeps its first sentAt. */
  markSent(id: string, sentAt: Date): Promise<void>;
  /** Only while the caller still holds the lease, so a late failure never overwrites another sender's outcome. */
  markFailed(id: string, leaseId: string, error: string): Promise<void>;
  /** Newest first. */
  find(query: NotificationQuery): Promise<Notification[]>;
  /** True when there is no notification record at all. */
  isEmpty(): Promise<boolean>;
}

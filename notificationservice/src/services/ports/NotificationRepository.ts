import type { Notification, NotificationDraft } from '../../domain/Notification.js';

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
   * Takes the send lease of a record that is not SENT and whose previous lease (if any) has run out,
   * counting one attempt. Null when it is SENT or someone else holds a live lease.
   */
  acquireLease(id: string, leaseId: string, now: Date, until: Date): Promise<Notification | null>;
  findById(id: string): Promise<Notification | null>;
  /** Idempotent: a record already SENT keeps its first sentAt. */
  markSent(id: string, sentAt: Date): Promise<void>;
  /** Only while the caller still holds the lease, so a late failure never overwrites another sender's outcome. */
  markFailed(id: string, leaseId: string, error: string): Promise<void>;
  /** Newest first. */
  find(query: NotificationQuery): Promise<Notification[]>;
}

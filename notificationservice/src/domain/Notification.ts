import type { Channel } from './Channel.js';

/**
 * PENDING: claimed, a send is in flight or was interrupted (a redelivery settles it).
 * SENT: the provider accepted it. FAILED: the last attempt failed; the consumer retries, then the DLT.
 * SKIPPED: nothing was sent, for `reason`; final, like SENT.
 */
export const NOTIFICATION_STATUSES = ['PENDING', 'SENT', 'FAILED', 'SKIPPED'] as const;

export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** Statuses that are final: the record is never sent (again). PENDING and FAILED are still open. */
export const isSettled = (status: NotificationStatus): boolean => status === 'SENT' || status === 'SKIPPED';

/**
 * Why a channel was skipped. NO_CONTACT: the channel is wanted but no address is known (neither in the
 * preferences nor in the event). CHANNEL_DISABLED: the customer's preferences leave the channel out.
 */
export const SKIP_REASONS = ['NO_CONTACT', 'CHANNEL_DISABLED'] as const;

export type SkipReason = (typeof SKIP_REASONS)[number];

/** The lifecycle events this service tells customers about. */
export const NOTIFIED_EVENT_TYPES = ['OrderPlaced', 'OrderConfirmed', 'OrderCancelled', 'OrderShipped', 'OrderDelivered'] as const;

export type NotifiedEventType = (typeof NOTIFIED_EVENT_TYPES)[number];

/** What is to be sent for one event on one channel; (eventId, channel) identifies it. */
export interface NotificationDraft {
  eventId: string;
  eventType: NotifiedEventType;
  orderId: string;
  customerId: string;
  channel: Channel;
  recipient: string;
  subject?: string;
  body: string;
}

/** A channel not sent for one event: no recipient, the message it would have carried, and why. */
export type SkippedDraft = Omit<NotificationDraft, 'recipient'> & { reason: SkipReason };

/** The record of a notification: the source of truth for what was sent (and what was not, and why). */
export interface Notification extends Omit<NotificationDraft, 'recipient'> {
  id: string;
  status: NotificationStatus;
  /** The email address or phone number; absent when SKIPPED. */
  recipient?: string;
  /** Why it was SKIPPED (only then). */
  reason?: SkipReason;
  /** Send attempts so far (provider calls). */
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
  sentAt?: Date;
  /** The last failure, while not SENT. */
  error?: string;
}

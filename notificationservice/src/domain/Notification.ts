import type { Channel } from './Channel.js';

/**
 * PENDING: claimed, a send is in flight or was interrupted (a redelivery settles it).
 * SENT: the provider accepted it. FAILED: the last attempt failed; the consumer retries, then the DLT.
 */
export const NOTIFICATION_STATUSES = ['PENDING', 'SENT', 'FAILED'] as const;

export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

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

/** The record of a notification: the source of truth for what was sent. */
export interface Notification extends NotificationDraft {
  id: string;
  status: NotificationStatus;
  /** Send attempts so far (provider calls). */
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
  sentAt?: Date;
  /** The last failure, while not SENT. */
  error?: string;
}

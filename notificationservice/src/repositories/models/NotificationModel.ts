import { Schema, type Connection, type Model } from 'mongoose';
import { z } from 'zod';
import { CHANNELS } from '../../domain/Channel.js';
import { NOTIFICATION_STATUSES, NOTIFIED_EVENT_TYPES, SKIP_REASONS, type Notification } from '../../domain/Notification.js';

export interface NotificationDocument extends Omit<Notification, 'id'> {
  _id: string;
  /** Who may call the provider right now, and until when (see NotificationRepository.acquireLease). */
  leaseId: string | null;
  leaseUntil: Date | null;
}

const notificationSchema = new Schema<NotificationDocument>(
  {
    _id: { type: String, required: true },
    eventId: { type: String, required: true },
    eventType: { type: String, required: true, enum: NOTIFIED_EVENT_TYPES },
    orderId: { type: String, required: true },
    customerId: { type: String, required: true },
    channel: { type: String, required: true, enum: CHANNELS },
    // Absent on a SKIPPED record: there was nobody to send it to.
    recipient: { type: String },
    subject: { type: String },
    body: { type: String, required: true },
    status: { type: String, required: true, enum: NOTIFICATION_STATUSES },
    reason: { type: String, enum: SKIP_REASONS },
    attempts: { type: Number, required: true, default: 0 },
    sentAt: { type: Date },
    error: { type: String },
    leaseId: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false, collection: 'notifications' },
);
// Exactly one notification per event and channel, whatever the redelivery or concurrency.
notificationSchema.index({ eventId: 1, channel: 1 }, { unique: true });
notificationSchema.index({ orderId: 1, createdAt: -1 });
notificationSchema.index({ customerId: 1, createdAt: -1 });

const required = z.string().min(1); // mongoose's `required` refuses an empty string too

/**
 * The schema's rules for a new record, checked in memory before the lean bulk insert (which skips
 * mongoose's own validation): the same required fields and enums.
 */
export const newNotificationDocument = z.object({
  _id: required,
  eventId: required,
  eventType: z.enum(NOTIFIED_EVENT_TYPES),
  orderId: required,
  customerId: required,
  channel: z.enum(CHANNELS),
  recipient: z.string().optional(),
  subject: z.string().optional(),
  body: required,
  status: z.enum(NOTIFICATION_STATUSES),
  reason: z.enum(SKIP_REASONS).optional(),
  attempts: z.number().int().nonnegative(),
  leaseId: z.string().nullable(),
  leaseUntil: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export function notificationModel(connection: Connection): Model<NotificationDocument> {
  return (
    (connection.models.Notification as Model<NotificationDocument> | undefined) ??
    connection.model<NotificationDocument>('Notification', notificationSchema)
  );
}

import { z } from 'zod';
import { CHANNELS } from '../domain/Channel.js';
import { NOTIFICATION_STATUSES, NOTIFIED_EVENT_TYPES, SKIP_REASONS } from '../domain/Notification.js';

/** What clients receive (SPEC §3); views.ts builds exactly these shapes. */
export const notificationViewSchema = z.object({
  id: z.string(),
  eventId: z.string(),
  eventType: z.enum(NOTIFIED_EVENT_TYPES),
  orderId: z.string(),
  customerId: z.string(),
  channel: z.enum(CHANNELS),
  recipient: z.string().optional().meta({ description: 'The email address or phone number it went to; absent when SKIPPED.' }),
  subject: z.string().optional(),
  body: z.string(),
  status: z.enum(NOTIFICATION_STATUSES).meta({
    description:
      'PENDING: being sent. SENT: the provider accepted it. FAILED: the last attempt failed (retried, then the DLT). SKIPPED: not sent, see `reason`.',
  }),
  reason: z.enum(SKIP_REASONS).optional().meta({
    description:
      "Only when SKIPPED. NO_CONTACT: no address known for the channel. CHANNEL_DISABLED: the customer's preferences leave the channel out.",
  }),
  /** Provider calls so far. */
  attempts: z.number().int(),
  createdAt: z.iso.datetime(),
  sentAt: z.iso.datetime().optional(),
  /** The last failure, while not SENT. */
  error: z.string().optional(),
});

export const preferencesViewSchema = z.object({
  customerId: z.string(),
  email: z.string().optional(),
  phone: z.string().optional(),
  channels: z.array(z.enum(CHANNELS)),
  updatedAt: z.iso.datetime().optional(),
});

export type NotificationView = z.infer<typeof notificationViewSchema>;
export type PreferencesView = z.infer<typeof preferencesViewSchema>;

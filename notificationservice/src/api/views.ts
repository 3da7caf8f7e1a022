import type { ContactPreferences } from '../domain/ContactPreferences.js';
import type { Notification } from '../domain/Notification.js';
import type { NotificationView, PreferencesView } from './responseSchemas.js';

/** A notification as the API shows it (SPEC §3); lease bookkeeping stays inside. */
export const notificationView = (n: Notification): NotificationView => ({
  id: n.id,
  eventId: n.eventId,
  eventType: n.eventType,
  orderId: n.orderId,
  customerId: n.customerId,
  channel: n.channel,
  ...(n.recipient === undefined ? {} : { recipient: n.recipient }),
  ...(n.subject === undefined ? {} : { subject: n.subject }),
  body: n.body,
  status: n.status,
  ...(n.reason === undefined ? {} : { reason: n.reason }),
  attempts: n.attempts,
  createdAt: n.createdAt.toISOString(),
  ...(n.sentAt === undefined ? {} : { sentAt: n.sentAt.toISOString() }),
  ...(n.error === undefined ? {} : { error: n.error }),
});

export const preferencesView = (p: ContactPreferences): PreferencesView => ({
  customerId: p.customerId,
  ...(p.email === undefined ? {} : { email: p.email }),
  ...(p.phone === undefined ? {} : { phone: p.phone }),
  channels: p.channels,
  ...(p.updatedAt === undefined ? {} : { updatedAt: p.updatedAt.toISOString() }),
});

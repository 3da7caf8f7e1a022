import { defineCounter } from '@orderplatform/shared/metrics';

/** The notification service's own metrics (SPEC §7), beside the kit's (HTTP, outbox, consumers) on the same /metrics. */
export const metrics = {
  notifications: defineCounter(
    'notifications_total',
    'Notification outcomes per channel: sent, failed, skipped (with reason NO_CONTACT or CHANNEL_DISABLED), already_sent / already_skipped (a redelivery)',
    ['channel', 'event_type', 'outcome', 'reason'],
  ),
};

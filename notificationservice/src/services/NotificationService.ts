import { randomUUID } from 'node:crypto';
import { metrics, type Logger } from '@orderplatform/shared';
import { inject, injectable } from 'tsyringe';
import type { Config } from '../config.js';
import type { Channel } from '../domain/Channel.js';
import type { Notification, NotificationDraft } from '../domain/Notification.js';
import { TOKENS } from '../tokens.js';
import { DeliveryIncompleteError } from './errors/DeliveryIncompleteError.js';
import { SendInProgressError } from './errors/SendInProgressError.js';
import type { NotificationProvider } from './ports/NotificationProvider.js';
import type { NotificationRepository } from './ports/NotificationRepository.js';
import type { PreferencesRepository } from './ports/PreferencesRepository.js';
import { resolveRecipients } from './resolveRecipients.js';
import { renderMessage } from './templates/renderMessage.js';
import type { OrderLifecycleEvent } from './templates/OrderLifecycleEvent.js';

type ChannelOutcome = { channel: Channel; kind: 'sent' | 'already-sent' } | { channel: Channel; kind: 'failed'; error: string };

const LEASE_POLL_MS = 100;
/**
 * Longest a handler waits for another holder's send lease before giving up with a retryable
 * error: well inside the consumer's session timeout, so waiting never costs a rebalance.
 */
const MAX_LEASE_WAIT_MS = 2_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const errorText = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 500);

/**
 * Turns an order lifecycle event into at most one notification per channel, however often the event
 * is delivered and however the deliveries interleave. Per channel: the record is created once
 * (unique (eventId, channel)); a send lease lets one handler at a time call the provider, with the
 * record id as its idempotency key; a SENT record is never sent again. A failed channel does not stop
 * the others; the event then fails as a whole (transient), so the consumer retries the rest.
 */
@injectable()
export class NotificationService {
  private readonly providers: Map<Channel, NotificationProvider>;
  private readonly log: Logger;

  constructor(
    @inject(TOKENS.NotificationRepository) private readonly notifications: NotificationRepository,
    @inject(TOKENS.PreferencesRepository) private readonly preferences: PreferencesRepository,
    @inject(TOKENS.EmailProvider) email: NotificationProvider,
    @inject(TOKENS.SmsProvider) sms: NotificationProvider,
    @inject(TOKENS.Config) private readonly config: Pick<Config, 'NOTIFICATION_SEND_LEASE_MS'>,
    @inject(TOKENS.Logger) logger: Logger,
  ) {
    this.providers = new Map([email, sms].map((p) => [p.channel, p]));
    this.log = logger.child({ component: 'notifications' });
  }

  async notify(event: OrderLifecycleEvent): Promise<void> {
    const { orderId, customerId, customer } = event.data;
    const log = this.log.child({ eventId: event.eventId, eventType: event.eventType, orderId });
    const { recipients, skipped } = resolveRecipients(await this.preferences.find(customerId), customer);
    if (skipped.length > 0) log.info({ skipped }, 'No address for a wanted channel; skipping it');
    for (const channel of skipped) metrics.notifications.inc({ channel, event_type: event.eventType, outcome: 'no_address' });
    if (recipients.length === 0) {
      log.info('No way to reach the customer; nothing sent');
      return;
    }

    const outcomes: ChannelOutcome[] = [];
    for (const { channel, address } of recipients) {
      const draft: NotificationDraft = {
        eventId: event.eventId,
        eventType: event.eventType,
        orderId,
        customerId,
        channel,
        recipient: address,
        ...renderMessage(event, channel),
      };
      const outcome = await this.sendOnce(draft, log.child({ channel }));
      metrics.notifications.inc({ channel, event_type: event.eventType, outcome: outcome.kind === 'already-sent' ? 'already_sent' : outcome.kind });
      outcomes.push(outcome);
    }
    const failures = outcomes.flatMap((o) => (o.kind === 'failed' ? [{ channel: o.channel, error: o.error }] : []));
    if (failures.length > 0) throw new DeliveryIncompleteError(failures);
  }

  private async sendOnce(draft: NotificationDraft, log: Logger): Promise<ChannelOutcome> {
    const { channel } = draft;
    const provider = this.providers.get(channel);
    if (!provider) throw new Error(`No provider for channel ${channel}`);
    const leaseId = randomUUID();
    // First delivery: the record is created with the lease taken (one write). A redelivery finds the
    // record and takes its lease the usual way, waiting out another holder.
    const leased =
      (await this.notifications.createLeased(draft, leaseId, new Date(Date.now() + this.config.NOTIFICATION_SEND_LEASE_MS))) ??
      (await this.acquire(await this.notifications.createIfAbsent(draft), leaseId, log));
    if (!leased) return { channel, kind: 'already-sent' };

    try {
      // The stored record, not the fresh draft, is what goes out: a redelivery sends the same message under the same key.
      await provider.send({ notificationId: leased.id, to: leased.recipient, subject: leased.subject, body: leased.body });
    } catch (err) {
      const error = errorText(err);
      await this.notifications.markFailed(leased.id, leaseId, error);
      log.warn({ notificationId: leased.id, attempts: leased.attempts, error }, 'Notification send failed');
      return { channel, kind: 'failed', error };
    }
    await this.notifications.markSent(leased.id, new Date());
    log.info({ notificationId: leased.id, attempts: leased.attempts }, 'Notification sent');
    return { channel, kind: 'sent' };
  }

  /**
   * The leased record; null when it is (or meanwhile becomes) SENT. Waits briefly for another
   * holder's lease; if it is still held, the event is retried later (after a backoff) instead.
   */
  private async acquire(record: Notification, leaseId: string, log: Logger): Promise<Notification | null> {
    const leaseMs = this.config.NOTIFICATION_SEND_LEASE_MS;
    const giveUpAt = Date.now() + Math.min(leaseMs + 1_000, MAX_LEASE_WAIT_MS);
    let current: Notification | null = record;
    while (current && current.status !== 'SENT') {
      const now = new Date();
      const leased = await this.notifications.acquireLease(current.id, leaseId, now, new Date(now.getTime() + leaseMs));
      if (leased) return leased;
      if (Date.now() > giveUpAt) throw new SendInProgressError(current.id);
      await sleep(LEASE_POLL_MS);
      current = await this.notifications.findById(current.id);
    }
    log.info({ notificationId: record.id }, 'Already sent; not sending again');
    return null;
  }
}

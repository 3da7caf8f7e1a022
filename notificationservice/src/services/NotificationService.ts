import { randomUUID } from 'node:crypto';
import type { Logger } from '@orderplatform/shared/logging';
import { inject, injectable } from 'tsyringe';
import { metrics } from '../metrics.js';
import type { Config } from '../config.js';
import type { Channel } from '../domain/Channel.js';
import { DeliveryIncompleteError } from '../domain/errors/DeliveryIncompleteError.js';
import { SendInProgressError } from '../domain/errors/SendInProgressError.js';
import { isSettled, type Notification, type SkipReason } from '../domain/Notification.js';
import { TOKENS } from '../tokens.js';
import type { NotificationProvider } from './ports/NotificationProvider.js';
import type { NewRecord, NotificationRepository, Settlement } from './ports/NotificationRepository.js';
import type { PreferencesRepository } from './ports/PreferencesRepository.js';
import { resolveRecipients } from './resolveRecipients.js';
import { renderMessage } from './templates/renderMessage.js';
import type { OrderLifecycleEvent } from './templates/OrderLifecycleEvent.js';

/** One channel's outcome; `kind` is the `outcome` label of notifications_total. */
type ChannelOutcome =
  | { channel: Channel; kind: 'sent' | 'already_sent' | 'already_skipped' }
  | { channel: Channel; kind: 'skipped'; reason: SkipReason }
  | { channel: Channel; kind: 'failed'; error: string };

const LEASE_POLL_MS = 100;
/**
 * Longest a handler waits for another holder's send lease before giving up with a retryable
 * error: well inside the consumer's session timeout, so waiting never costs a rebalance.
 */
const MAX_LEASE_WAIT_MS = 2_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const errorText = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 500);

/**
 * Turns an order lifecycle event into exactly one record per channel, however often the event is
 * delivered and however the deliveries interleave: SENT (or FAILED until a retry sends it), or
 * SKIPPED with a reason when there is nobody to send it to, so an operator sees why nothing went out.
 * Per channel the first delivery's decision wins (unique (eventId, channel)); a send lease lets one
 * handler at a time call the provider, with the record id as its idempotency key; a SENT or SKIPPED
 * record is never sent again. A failed channel does not stop the others; the event then fails as a
 * whole (transient), so the consumer retries the rest.
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
    const [error] = await this.notifyMany([event]);
    if (error !== undefined) throw error;
  }

  /**
   * `notify` for a wave of events (distinct orders) with a handful of writes for all of them: one
   * preferences read, one insert of every record (sends with their lease taken, skips), one provider
   * call per channel, one write of the sent-marks. A record that exists already (a redelivery) takes
   * the per-record path of `notify`. Per event (same index): undefined when every channel is settled,
   * else the error it failed with. Throws only when the wave's shared reads or writes fail.
   */
  async notifyMany(events: readonly OrderLifecycleEvent[]): Promise<Array<Error | undefined>> {
    const stored = await this.preferences.findMany([...new Set(events.map((e) => e.data.customerId))]);
    const until = new Date(Date.now() + this.config.NOTIFICATION_SEND_LEASE_MS);
    const plans = events.map((event) => {
      const { orderId, customerId, customer } = event.data;
      const log = this.log.child({ eventId: event.eventId, eventType: event.eventType, orderId });
      const { recipients, skipped } = resolveRecipients(stored.get(customerId) ?? null, customer);
      if (recipients.length === 0) log.info({ skipped }, 'No way to reach the customer on any channel; recording SKIPPED');
      const common = { eventId: event.eventId, eventType: event.eventType, orderId, customerId };
      const records: NewRecord[] = [
        ...recipients.map(({ channel, address }): NewRecord => ({
          kind: 'leased',
          draft: { ...common, channel, recipient: address, ...renderMessage(event, channel) },
          leaseId: randomUUID(),
          until,
        })),
        ...skipped.map(({ channel, reason }): NewRecord => ({
          kind: 'skipped',
          draft: { ...common, channel, reason, ...renderMessage(event, channel) },
        })),
      ];
      return { event, log, records, outcomes: [] as ChannelOutcome[], error: undefined as Error | undefined };
    });
    const all = plans.flatMap((plan) => plan.records.map((record) => ({ plan, record })));
    const inserted = await this.notifications.insertMany(all.map(({ record }) => record));

    // Records this wave created with the lease taken: one provider call per channel, then one write of the outcomes.
    const leased = all.flatMap(({ plan, record }, i) => {
      const created = inserted[i];
      return created && record.kind === 'leased' ? [{ plan, record: created, leaseId: record.leaseId }] : [];
    });
    const settlements: Settlement[] = [];
    const sentAt = new Date();
    await Promise.all(
      [...this.providers.values()].map(async (provider) => {
        const batch = leased.filter(({ record }) => record.channel === provider.channel);
        if (batch.length === 0) return;
        const results = await provider.sendMany(
          batch.map(({ record }) => ({ notificationId: record.id, to: record.recipient!, subject: record.subject, body: record.body })),
        );
        batch.forEach(({ plan, record, leaseId }, i) => {
          const log = plan.log.child({ channel: record.channel });
          if (results[i] === undefined) {
            settlements.push({ id: record.id, sentAt });
            log.info({ notificationId: record.id, attempts: record.attempts }, 'Notification sent');
            plan.outcomes.push({ channel: record.channel, kind: 'sent' });
          } else {
            const error = errorText(results[i]);
            settlements.push({ id: record.id, leaseId, error });
            log.warn({ notificationId: record.id, attempts: record.attempts, error }, 'Notification send failed');
            plan.outcomes.push({ channel: record.channel, kind: 'failed', error });
          }
        });
      }),
    );
    await this.notifications.settleMany(settlements);

    for (const [i, { plan, record }] of all.entries()) {
      const created = inserted[i];
      if (created && record.kind === 'skipped') {
        plan.log
          .child({ channel: record.draft.channel })
          .info({ notificationId: created.id, reason: record.draft.reason }, 'Nothing to send on this channel; recorded as SKIPPED');
        plan.outcomes.push({ channel: record.draft.channel, kind: 'skipped', reason: record.draft.reason });
      }
    }
    // An earlier delivery's records (a redelivery): read in one go; a settled one is done, an open one is
    // sent one by one under its lease, as a redelivery always was.
    const refused = all.filter((_, i) => !inserted[i]);
    const existing =
      refused.length === 0 ? [] : await this.notifications.findByEvents([...new Set(refused.map(({ record }) => record.draft.eventId))]);
    for (const { plan, record } of refused) {
      if (plan.error) continue;
      const { eventId, channel } = record.draft;
      const log = plan.log.child({ channel });
      try {
        const found = existing.find((n) => n.eventId === eventId && n.channel === channel);
        if (!found) throw new Error(`Notification for ${eventId}/${channel} vanished after insert`);
        plan.outcomes.push(await this.deliver(found, log));
      } catch (err) {
        plan.error = err instanceof Error ? err : new Error(String(err));
      }
    }

    return plans.map((plan) => {
      for (const outcome of plan.outcomes) {
        metrics.notifications.inc({
          channel: outcome.channel,
          event_type: plan.event.eventType,
          outcome: outcome.kind,
          ...(outcome.kind === 'skipped' ? { reason: outcome.reason } : {}),
        });
      }
      if (plan.error) return plan.error;
      const failures = plan.outcomes.flatMap((o) => (o.kind === 'failed' ? [{ channel: o.channel, error: o.error }] : []));
      return failures.length > 0 ? new DeliveryIncompleteError(failures) : undefined;
    });
  }

  /** Sends an existing record unless it is (or meanwhile becomes) settled. */
  private async deliver(record: Notification, log: Logger): Promise<ChannelOutcome> {
    const leaseId = randomUUID();
    const current = await this.acquire(record, leaseId);
    if (!isSettled(current.status)) return this.send(current, leaseId, log);
    log.info({ notificationId: record.id, status: current.status }, 'Already settled; not sending again');
    return { channel: record.channel, kind: current.status === 'SENT' ? 'already_sent' : 'already_skipped' };
  }

  private async send(leased: Notification, leaseId: string, log: Logger): Promise<ChannelOutcome> {
    const { channel } = leased;
    const provider = this.providers.get(channel);
    if (!provider) throw new Error(`No provider for channel ${channel}`);
    if (leased.recipient === undefined) throw new Error(`Notification ${leased.id} has no recipient`);
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
   * The record leased by `leaseId`, or settled (SENT / SKIPPED, not leased). Waits briefly for another
   * holder's lease; if it is still held, the event is retried later (after a backoff) instead.
   */
  private async acquire(record: Notification, leaseId: string): Promise<Notification> {
    const leaseMs = this.config.NOTIFICATION_SEND_LEASE_MS;
    const giveUpAt = Date.now() + Math.min(leaseMs + 1_000, MAX_LEASE_WAIT_MS);
    let current = record;
    while (!isSettled(current.status)) {
      const now = new Date();
      const leased = await this.notifications.acquireLease(current.id, leaseId, now, new Date(now.getTime() + leaseMs));
      if (leased) return leased;
      if (Date.now() > giveUpAt) throw new SendInProgressError(current.id);
      await sleep(LEASE_POLL_MS);
      const reread = await this.notifications.findById(current.id);
      if (!reread) throw new Error(`Notification ${current.id} vanished`);
      current = reread;
    }
    return current;
  }
}

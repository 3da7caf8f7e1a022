import type { Logger } from '@orderplatform/shared/logging';
import type { Channel } from '../domain/Channel.js';
import type { NotificationProvider, OutgoingMessage } from '../services/ports/NotificationProvider.js';
import { ProviderUnavailableError } from '../domain/errors/ProviderUnavailableError.js';
import type { MockMailbox, RandomSource } from './MockMailbox.js';

/**
 * A stand-in for an email or SMS gateway: fails a configurable share of sends with a transient
 * error, dedupes by notificationId (a real gateway's idempotency key) and logs what it sent. The
 * recipient is logged under `recipient`, which the shared logger redacts (SPEC §6).
 */
export abstract class MockProvider implements NotificationProvider {
  abstract readonly channel: Channel;
  private readonly log: Logger;

  protected constructor(
    private readonly failureRate: number,
    private readonly random: RandomSource,
    private readonly mailbox: MockMailbox,
    logger: Logger,
    component: string,
  ) {
    this.log = logger.child({ component });
  }

  async send({ notificationId, to, subject, body }: OutgoingMessage): Promise<void> {
    if (this.failureRate > 0 && this.random() < this.failureRate) {
      this.log.warn({ notificationId, channel: this.channel }, 'Mock provider failure (simulated)');
      throw new ProviderUnavailableError(`mock ${this.channel} provider unavailable (simulated failure)`);
    }
    const delivered = await this.mailbox.deliverOnce({ channel: this.channel, notificationId, to, subject, body, deliveredAt: new Date() });
    if (delivered) this.log.info({ notificationId, channel: this.channel, recipient: to, subject }, `Mock ${this.channel} sent`);
    else this.log.info({ notificationId, channel: this.channel, recipient: to }, 'Duplicate send ignored (same idempotency key)');
  }

  /** The failure draw per message, then one mailbox write for all accepted ones. */
  async sendMany(messages: readonly OutgoingMessage[]): Promise<unknown[]> {
    const outcomes: unknown[] = messages.map(({ notificationId }) => {
      if (this.failureRate > 0 && this.random() < this.failureRate) {
        this.log.warn({ notificationId, channel: this.channel }, 'Mock provider failure (simulated)');
        return new ProviderUnavailableError(`mock ${this.channel} provider unavailable (simulated failure)`);
      }
      return undefined;
    });
    const accepted = messages.filter((_, i) => outcomes[i] === undefined);
    const deliveredAt = new Date();
    let delivered: boolean[];
    try {
      delivered = await this.mailbox.deliverMany(
        accepted.map(({ notificationId, to, subject, body }) => ({
          channel: this.channel,
          notificationId,
          to,
          subject,
          body,
          deliveredAt,
        })),
      );
    } catch (err) {
      // Nothing is known to have been accepted: every one of them failed (a retry re-sends under the same key).
      return messages.map((_, i) => outcomes[i] ?? err);
    }
    accepted.forEach(({ notificationId, to, subject }, i) => {
      if (delivered[i]) this.log.info({ notificationId, channel: this.channel, recipient: to, subject }, `Mock ${this.channel} sent`);
      else this.log.info({ notificationId, channel: this.channel, recipient: to }, 'Duplicate send ignored (same idempotency key)');
    });
    return outcomes;
  }
}

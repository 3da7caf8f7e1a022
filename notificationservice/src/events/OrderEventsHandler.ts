import type { ReliableConsumer } from '@orderplatform/shared/kafka';
import { inject, injectable } from 'tsyringe';
import { NOTIFIED_EVENT_TYPES } from '../domain/Notification.js';
import type { NotificationService } from '../services/NotificationService.js';
import { TOKENS } from '../tokens.js';

/**
 * The order lifecycle events a customer hears about. The consumer has validated each payload (an
 * invalid one goes to the DLT at once) and dedupes by eventId; NotificationService is idempotent on
 * its own as well, since a crash before the dedupe record redelivers the event.
 */
@injectable()
export class OrderEventsHandler {
  constructor(@inject(TOKENS.NotificationService) private readonly notifications: NotificationService) {}

  register(consumer: ReliableConsumer): ReliableConsumer {
    // One call per wave of the consumer: the events of distinct orders, applied with a handful of bulk writes.
    return consumer.onBatch(NOTIFIED_EVENT_TYPES, (wave) => this.notifications.notifyMany(wave.map(({ event }) => event)));
  }
}

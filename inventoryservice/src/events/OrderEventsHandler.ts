import type { ReliableConsumer } from '@orderplatform/shared/kafka';
import { inject, injectable } from 'tsyringe';
import type { ReservationService } from '../services/ReservationService.js';
import { TOKENS } from '../tokens.js';

/**
 * The order events this service acts on. The consumer has already validated the payload (an invalid
 * one goes to the DLT) and dedupes by eventId; the service is idempotent on its own as well, since a
 * crash after its writes but before the dedupe record redelivers the event.
 */
@injectable()
export class OrderEventsHandler {
  constructor(@inject(TOKENS.ReservationService) private readonly reservations: ReservationService) {}

  register(consumer: ReliableConsumer): ReliableConsumer {
    return consumer
      .on('OrderPlaced', async ({ data }) => {
        await this.reservations.reserve({ orderId: data.orderId, items: data.items });
      })
      .on('OrderCancelled', async ({ data }) => {
        await this.reservations.release(data.orderId, data.reason);
      })
      .on('OrderShipped', async ({ data }) => {
        await this.reservations.ship(data.orderId);
      });
  }
}

import type { DomainEvent } from '@orderplatform/shared/contracts';
import { applyWaveConcurrently, type ReliableConsumer } from '@orderplatform/shared/kafka';
import { inject, injectable } from 'tsyringe';
import { MarkerPulls } from '../services/MarkerPulls.js';
import type { ProductRepository } from '../services/ports/ProductRepository.js';
import type { ReservationService } from '../services/ReservationService.js';
import { WaveHolds } from '../services/WaveHolds.js';
import { TOKENS } from '../tokens.js';

const ORDER_EVENTS = ['OrderPlaced', 'OrderCancelled', 'OrderShipped'] as const;

/**
 * The order events this service acts on. The consumer has already validated the payload (an invalid
 * one goes to the DLT); every step is idempotent on its own (the reservation document is the saga
 * log), so a redelivery changes nothing.
 */
@injectable()
export class OrderEventsHandler {
  constructor(
    @inject(TOKENS.ReservationService) private readonly reservations: ReservationService,
    @inject(TOKENS.ProductRepository) private readonly products: ProductRepository,
  ) {}

  register(consumer: ReliableConsumer): ReliableConsumer {
    // A wave holds events of distinct orders (one per order): they are applied side by side (each
    // order's steps are single-document conditional writes, so orders never need each other's turn),
    // each in its event's context and consume span, and fail one by one. Their plain marker pulls go
    // out together, one write per product, and are written before the wave counts as applied; so do
    // their first hold writes (one per product for the orders in flight together).
    return consumer.onBatch(ORDER_EVENTS, async (wave) => {
      const pulls = new MarkerPulls(this.products);
      const holds = new WaveHolds(this.products);
      const outcomes = await applyWaveConcurrently(wave, (event) => this.apply(event, pulls, holds));
      await pulls.flush();
      return outcomes;
    });
  }

  private async apply(event: DomainEvent<(typeof ORDER_EVENTS)[number]>, pulls: MarkerPulls, holds: WaveHolds): Promise<void> {
    switch (event.eventType) {
      case 'OrderPlaced':
        await this.reservations.reserve({ orderId: event.data.orderId, items: event.data.items }, pulls, holds);
        return;
      case 'OrderCancelled':
        await this.reservations.release(event.data.orderId, event.data.reason, pulls);
        return;
      case 'OrderShipped':
        await this.reservations.ship(event.data.orderId, pulls);
        return;
    }
  }
}

import type { DomainEvent } from '@orderplatform/shared/contracts';
import { applyWaveConcurrently, type ReliableConsumer } from '@orderplatform/shared/kafka';
import { inject, injectable } from 'tsyringe';
import type { ReservationService } from '../services/ReservationService.js';
import { TOKENS } from '../tokens.js';

const ORDER_EVENTS = ['OrderPlaced', 'OrderCancelled', 'OrderShipped'] as const;

/**
 * The order events this service acts on. The consumer has already validated the payload (an invalid
 * one goes to the DLT); every step is idempotent on its own (the reservation document is the saga
 * log), so a redelivery changes nothing.
 */
@injectable()
export class OrderEventsHandler {
  constructor(@inject(TOKENS.ReservationService) private readonly reservations: ReservationService) {}

  register(consumer: ReliableConsumer): ReliableConsumer {
    // A wave holds events of distinct orders (one per order): they are applied side by side (each
    // order's steps are single-document conditional writes, so orders never need each other's turn),
    // each in its event's context and consume span, and fail one by one.
    return consumer.onBatch(ORDER_EVENTS, (wave) => applyWaveConcurrently(wave, (event) => this.apply(event)));
  }

  private async apply(event: DomainEvent<(typeof ORDER_EVENTS)[number]>): Promise<void> {
    switch (event.eventType) {
      case 'OrderPlaced':
        await this.reservations.reserve({ orderId: event.data.orderId, items: event.data.items });
        return;
      case 'OrderCancelled':
        await this.reservations.release(event.data.orderId, event.data.reason);
        return;
      case 'OrderShipped':
        await this.reservations.ship(event.data.orderId);
        return;
    }
  }
}

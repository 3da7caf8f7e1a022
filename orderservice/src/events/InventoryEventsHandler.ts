import type { DomainEvent } from '@orderplatform/shared/contracts';
import { applyWaveConcurrently, type ReliableConsumer } from '@orderplatform/shared/kafka';
import { inject, injectable } from 'tsyringe';
import type { OrderLifecycleService } from '../services/OrderLifecycleService.js';
import { TOKENS } from '../tokens.js';

const INVENTORY_ANSWERS = ['InventoryReserved', 'InventoryFailed', 'InventoryReleased'] as const;

/**
 * SPEC §2 step 3: inventory's answers move the order on. Every handler is a conditional write, so a
 * redelivery (the kit records processed events only after the handler) changes nothing twice.
 */
@injectable()
export class InventoryEventsHandler {
  constructor(@inject(TOKENS.OrderLifecycleService) private readonly lifecycle: OrderLifecycleService) {}

  register(consumer: ReliableConsumer): ReliableConsumer {
    // A wave holds events of distinct orders (one per order): they are applied side by side, each in
    // its event's context and consume span, and fail one by one.
    return consumer.onBatch(INVENTORY_ANSWERS, (wave) => applyWaveConcurrently(wave, (event) => this.apply(event)));
  }

  private apply(event: DomainEvent<(typeof INVENTORY_ANSWERS)[number]>): Promise<void> {
    switch (event.eventType) {
      case 'InventoryReserved':
        return this.lifecycle.confirmReservation(event);
      case 'InventoryFailed':
        return this.lifecycle.rejectForInventory(event);
      case 'InventoryReleased':
        return this.lifecycle.recordRelease(event);
    }
  }
}

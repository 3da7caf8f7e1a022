import type { ReliableConsumer } from '@orderplatform/shared/kafka';
import { inject, injectable } from 'tsyringe';
import type { OrderLifecycleService } from '../services/OrderLifecycleService.js';
import { TOKENS } from '../tokens.js';

/**
 * SPEC §2 step 3: inventory's answers move the order on. Every handler is a conditional write, so a
 * redelivery (the kit records processed events only after the handler) changes nothing twice.
 */
@injectable()
export class InventoryEventsHandler {
  constructor(@inject(TOKENS.OrderLifecycleService) private readonly lifecycle: OrderLifecycleService) {}

  register(consumer: ReliableConsumer): ReliableConsumer {
    return consumer
      .on('InventoryReserved', (event) => this.lifecycle.confirmReservation(event))
      .on('InventoryFailed', (event) => this.lifecycle.rejectForInventory(event))
      .on('InventoryReleased', (event) => this.lifecycle.recordRelease(event));
  }
}

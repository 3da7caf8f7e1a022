import { ConflictError } from '@orderplatform/shared/errors';
import type { OrderStatus } from '../Order.js';

/** SPEC §2: only an InventoryReserved confirms an order; the admin API never sets CONFIRMED. */
export class ConfirmBySagaOnlyError extends ConflictError {
  constructor(orderId: string, from: OrderStatus) {
    super(
      'ORDER.CONFIRM_BY_SAGA_ONLY',
      'Only inventory confirms an order (when it reserves the stock); the admin API cannot set CONFIRMED',
      {
        orderId,
        from,
        to: 'CONFIRMED',
      },
    );
  }
}

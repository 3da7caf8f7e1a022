import { ConflictError } from '@orderplatform/shared/errors';
import type { OrderStatus } from '../Order.js';

/** The state machine (SPEC §2) does not allow this move from the order's current status. */
export class InvalidTransitionError extends ConflictError {
  constructor(orderId: string, from: OrderStatus, to: OrderStatus) {
    super('ORDER.INVALID_TRANSITION', `Cannot move an order from ${from} to ${to}`, { orderId, from, to });
  }
}

import { NotFoundError } from '@orderplatform/shared/errors';

export class ReservationNotFoundError extends NotFoundError {
  constructor(orderId: string) {
    super('INVENTORY.RESERVATION_NOT_FOUND', `No reservation for order ${orderId}`);
  }
}

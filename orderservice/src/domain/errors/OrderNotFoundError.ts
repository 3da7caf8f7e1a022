import { NotFoundError } from '@orderplatform/shared/errors';

export class OrderNotFoundError extends NotFoundError {
  constructor(orderId: string) {
    super('ORDER.NOT_FOUND', 'Order not found', { orderId });
  }
}

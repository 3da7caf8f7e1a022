import { NotFoundError } from '@orderplatform/shared/errors';

export class ProductNotFoundError extends NotFoundError {
  constructor(productId: string) {
    super('INVENTORY.PRODUCT_NOT_FOUND', `Product ${productId} not found`);
  }
}

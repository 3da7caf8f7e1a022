import { ConflictError } from '@orderplatform/shared/errors';

/** The product's stock kept changing under an admin update (reservations in flight); the caller may retry. */
export class ConcurrentStockUpdateError extends ConflictError {
  constructor(productId: string) {
    super('INVENTORY.CONCURRENT_UPDATE', `Stock of product ${productId} kept changing; try again`);
  }
}

import type { NewProduct, Product, ProductForOrder } from '../../domain/Product.js';

/**
 * Stock storage. Every write is ONE single-document conditional update, so each is atomic on its
 * own and idempotent per (product, order): the product's `holds` say which orders hold how much,
 * and which reserve attempt took each hold (the fence a stale attempt's late hold is told apart by).
 */
export interface ProductRepository {
  list(): Promise<Product[]>;
  findById(productId: string): Promise<Product | null>;
  /** The products that exist among `productIds`, each with the quantity `orderId` holds of it. */
  findForOrder(productIds: string[], orderId: string): Promise<ProductForOrder[]>;
  /** available → reserved for the order, tagged with `attemptId`, if enough is available and the order holds none yet. True when this call took it. */
  hold(productId: string, orderId: string, quantity: number, attemptId: string): Promise<boolean>;
  /** The order's hold back to available, if it still has one (taken by `attemptId`, when given). True when this call released it. */
  release(productId: string, orderId: string, quantity: number, attemptId?: string): Promise<boolean>;
  /** The order's hold to sold, if it still has one (taken by `attemptId`, when given). True when this call sold it. */
  sell(productId: string, orderId: string, quantity: number, attemptId?: string): Promise<boolean>;
  /** Every order that holds stock of any product now. */
  ordersHolding(): Promise<string[]>;
  /** Inserts the product unless one with that id exists. True when this call created it. */
  createIfAbsent(product: NewProduct): Promise<boolean>;
  /**
   * Sets available to `newAvailable` (the difference goes into restocked, name optionally changed),
   * only if available is still `expectedAvailable`. The updated product, or null when something changed it meanwhile.
   */
  setAvailable(productId: string, expectedAvailable: number, newAvailable: number, name?: string): Promise<Product | null>;
  isEmpty(): Promise<boolean>;
}

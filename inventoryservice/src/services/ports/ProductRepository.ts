import type { NewProduct, Product, ProductForOrder } from '../../domain/Product.js';

/** One of an order's holds to give up: its units go back to available (`release`) or to sold (`sell`). */
export interface HoldChange {
  productId: string;
  quantity: number;
  /** Only the hold this reserve attempt took (absent: whatever hold the order has). */
  attemptId?: string;
  to: 'available' | 'sold';
}

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
  /**
   * `hold` for each line, all in one round trip: each line is still its own conditional
   * single-document write, so some may be taken and others not (short, or already held) — read the
   * outcome back with `findForOrder`.
   */
  holdEach(orderId: string, lines: ReadonlyArray<{ productId: string; quantity: number }>, attemptId: string): Promise<void>;
  /**
   * Gives up the order's holds as `changes` say, in one round trip; each change applies only if the
   * order still has that hold (same quantity, and taken by `attemptId` when given), so a repeat does nothing.
   */
  takeHolds(orderId: string, changes: ReadonlyArray<HoldChange>): Promise<void>;
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

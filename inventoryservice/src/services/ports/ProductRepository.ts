import type { MarkerStep, NewProduct, Product, ProductForOrder } from '../../domain/Product.js';

/** One line's give-back: reserved → available (`release`) or → sold (`sell`), fenced by the product's `giveBackSeq`. */
export interface GiveBack {
  productId: string;
  quantity: number;
  step: Exclude<MarkerStep, 'hold'>;
  /** The give-back run: the marker's attemptId. */
  attemptId: string;
  /** The product's giveBackSeq when read: the push applies only if no give-back was pushed since. */
  expectedSeq: number;
}

/** One of an order's markers to remove: `reverse` also undoes its hold (reserved → available; hold markers only). */
export interface MarkerRemoval {
  orderId: string;
  productId: string;
  attemptId: string;
  step: MarkerStep;
  quantity: number;
  reverse: boolean;
}

/** One order's first hold of every line (see `holdTogether`). */
export interface HoldRequest {
  orderId: string;
  attemptId: string;
  lines: ReadonlyArray<{ productId: string; quantity: number }>;
}

/**
 * Stock storage. Every write is ONE single-document conditional update, so each is atomic on its own.
 * A product keeps its counters, a give-back fence and only the in-flight markers of orders (`pending`);
 * which order holds what is recorded on the reservations (see ReservationService).
 */
export interface ProductRepository {
  list(): Promise<Product[]>;
  findById(productId: string): Promise<Product | null>;
  /** The products that exist among `productIds`, each with `orderId`'s markers on it. */
  findForOrder(productIds: string[], orderId: string): Promise<ProductForOrder[]>;
  /** available → reserved, with a hold marker of (`orderId`, `attemptId`), if enough is available and the order has no marker on it. True when this call took it. */
  hold(productId: string, orderId: string, quantity: number, attemptId: string): Promise<boolean>;
  /**
   * `hold` for each line in one round trip; each line is its own conditional write. Returns how many this
   * call took: all of them means every line now carries this attempt's marker; fewer, read the outcome back with `findForOrder`.
   */
  holdEach(orderId: string, lines: ReadonlyArray<{ productId: string; quantity: number }>, attemptId: string): Promise<number>;
  /**
   * `holdEach` for several orders (distinct, each product once per order) in one round trip, with ONE
   * conditional write per product: the orders needing a product hold it together (available ≥ the sum
   * of their quantities and none of them marked on it → each one's quantity held, each one's marker
   * pushed) or none of them does. Returns the orders that now hold every line with their own attempt's
   * marker; any other may hold some of its lines: read them back with `findForOrder`.
   */
  holdTogether(requests: ReadonlyArray<HoldRequest>): Promise<Set<string>>;
  /**
   * Each give-back in one round trip, each applied only if the product's giveBackSeq is still
   * `expectedSeq` and the order has no give-back marker on it (then the seq is bumped and a give-back
   * marker pushed). Returns how many applied.
   */
  giveBackEach(orderId: string, giveBacks: ReadonlyArray<GiveBack>): Promise<number>;
  /**
   * Removes each marker if it is still there (exactly that marker), in one round trip; the removals may
   * be of many orders. A reversal moves its quantity back in the same write as its pull (one write per
   * reversal); the plain pulls on one product are ONE write, whichever orders they are of.
   */
  removeMarkers(removals: ReadonlyArray<MarkerRemoval>): Promise<void>;
  /** The orders that have a marker pushed at or before `before` on any product (only products with such a marker are read). */
  ordersWithMarkersBefore(before: Date): Promise<string[]>;
  /** Inserts the product unless one with that id exists. True when this call created it. */
  createIfAbsent(product: NewProduct): Promise<boolean>;
  /**
   * Sets available to `newAvailable` (the difference goes into restocked, name optionally changed),
   * only if available is still `expectedAvailable`. The updated product, or null when something changed it meanwhile.
   */
  setAvailable(productId: string, expectedAvailable: number, newAvailable: number, name?: string): Promise<Product | null>;
  isEmpty(): Promise<boolean>;
}

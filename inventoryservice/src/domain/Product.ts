/**
 * A product's stock. Invariant (SPEC §2): `initial + restocked = available + reserved + sold`,
 * `available ≥ 0`. `restocked` is the net sum of admin adjustments (negative after a write-off).
 */
export interface Product {
  productId: string;
  name: string;
  available: number;
  reserved: number;
  sold: number;
  initial: number;
  restocked: number;
}

/** What an in-flight marker is for: a hold being recorded, or a give-back (to available / to sold) being recorded. */
export const MARKER_STEPS = ['hold', 'release', 'sell'] as const;
export type MarkerStep = (typeof MARKER_STEPS)[number];

/**
 * A step of one order in flight on a product (see ReservationService): pushed with the stock change,
 * pulled once the reservation document records the step. At most one hold and one give-back marker per order.
 */
export interface PendingMarker {
  orderId: string;
  /** The reserve attempt that took the hold, or the give-back run that applied the give-back. */
  attemptId: string;
  quantity: number;
  step: MarkerStep;
  at: Date;
}

/** A product as seen by one order: its stock, that order's in-flight markers on it, and its give-back fence. */
export interface ProductForOrder extends Product {
  /** The order's give-back fence on this product: bumped by every give-back of the order pushed on it (and some of other orders). */
  giveBackSeq: number;
  /** This order's markers only. */
  pending: PendingMarker[];
}

export interface NewProduct {
  productId: string;
  name: string;
  initial: number;
}

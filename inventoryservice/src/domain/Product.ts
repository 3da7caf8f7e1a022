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

/** A product as seen by one order: its stock and how much of it that order holds (0 = none). */
export interface ProductForOrder extends Product {
  heldQuantity: number;
  /** The reserve attempt that took the order's hold (absent for no hold, or a hold older than attempt ids). */
  heldBy?: string;
}

export interface NewProduct {
  productId: string;
  name: string;
  initial: number;
}

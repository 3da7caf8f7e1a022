import type { Shortfall } from '@orderplatform/shared/contracts';

/**
 * A reservation is the saga log of one order in this service:
 * RESERVING → RESERVED | FAILED; RESERVED → RELEASED | SOLD; RESERVING → CANCELLED_BEFORE_RESERVE;
 * CANCELLED_BEFORE_RESERVE is also the tombstone of a cancel that came before any OrderPlaced.
 */
export const RESERVATION_STATUSES = ['RESERVING', 'RESERVED', 'FAILED', 'RELEASED', 'SOLD', 'CANCELLED_BEFORE_RESERVE'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/** Statuses in which the order must hold no stock at all. */
export const HOLDS_NOTHING: readonly ReservationStatus[] = ['FAILED', 'RELEASED', 'CANCELLED_BEFORE_RESERVE'];

export interface StockLine {
  productId: string;
  quantity: number;
}

/** A line's hold that the RESERVED decision counted on: the attempt that took it (see ReservationService). */
export interface HeldLine {
  productId: string;
  attemptId: string;
}

export type ReservationFailure =
  { reason: 'INSUFFICIENT_STOCK'; shortfalls: Shortfall[] } | { reason: 'UNKNOWN_PRODUCT'; unknownProductIds: string[] };

export interface Reservation {
  orderId: string;
  reservationId: string;
  status: ReservationStatus;
  /** The order's lines, merged per product and sorted; fixed when the reservation is opened. */
  lines: StockLine[];
  failure?: ReservationFailure;
  releaseReason?: string;
  /**
   * The ledger. `held`: written once, by the RESERVED decision: the hold each line counts on; any other
   * hold marker of the order is a stray. Empty in every status the order never reached RESERVED in.
   */
  held: HeldLine[];
  /** The products of `held` whose units are not given back yet (to available or to sold). */
  holding: string[];
  createdAt: Date;
  updatedAt: Date;
}

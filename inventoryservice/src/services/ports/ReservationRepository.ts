import type { DomainEvent } from '@orderplatform/shared/contracts';
import type { HeldLine, Reservation, ReservationFailure, ReservationStatus, StockLine } from '../../domain/Reservation.js';

export interface TransitionChanges {
  failure?: ReservationFailure;
  releaseReason?: string;
  /** The RESERVED decision's ledger: the hold each line counts on (they all start `holding`). */
  held?: HeldLine[];
}

export interface ReservationRepository {
  findByOrderId(orderId: string): Promise<Reservation | null>;
  /** The reservations of these orders. */
  findByOrderIds(orderIds: string[]): Promise<Reservation[]>;
  /** The reservations in one of `statuses` that still hold a line (only those are read). */
  findHolding(statuses: readonly ReservationStatus[]): Promise<Reservation[]>;
  /** Opens the order's reservation in RESERVING with these lines, or returns the existing one untouched. */
  openOrGet(orderId: string, reservationId: string, lines: StockLine[]): Promise<Reservation>;
  /** Records a cancel that came before any reservation (CANCELLED_BEFORE_RESERVE), or returns the existing one untouched. */
  tombstoneOrGet(orderId: string, reservationId: string): Promise<Reservation>;
  /**
   * Moves the reservation from one of `from` to `to`, with `changes` and `events` (into its outbox)
   * in ONE write. Null when it was not in `from` (someone else moved it first).
   */
  transition(
    orderId: string,
    from: ReservationStatus[],
    to: ReservationStatus,
    changes: TransitionChanges,
    events: DomainEvent[],
  ): Promise<Reservation | null>;
  /** Records these lines as given back (no longer `holding`); idempotent. */
  recordGivenBack(orderId: string, productIds: string[]): Promise<void>;
}

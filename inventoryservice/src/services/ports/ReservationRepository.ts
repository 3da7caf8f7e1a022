import type { DomainEvent } from '@orderplatform/shared/contracts';
import type { HeldLine, Reservation, ReservationFailure, ReservationStatus, StockLine } from '../../domain/Reservation.js';

export interface TransitionChanges {
  failure?: ReservationFailure;
  releaseReason?: string;
  heldBy?: HeldLine[];
}

export interface ReservationRepository {
  findByOrderId(orderId: string): Promise<Reservation | null>;
  /** The reservations of these orders that are in none of `statuses`. */
  findByOrderIdsExcept(orderIds: string[], statuses: ReservationStatus[]): Promise<Reservation[]>;
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
}

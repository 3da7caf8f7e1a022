import type { DomainEvent } from '@orderplatform/shared/contracts';
import type { Reservation, ReservationStatus, StockLine } from '../../src/domain/Reservation.js';
import type { ReservationRepository, TransitionChanges } from '../../src/services/ports/ReservationRepository.js';

/** In-memory reservations; each keeps the events its writes carried, like the outbox would. */
export class FakeReservationRepository implements ReservationRepository {
  private readonly reservations = new Map<string, { reservation: Reservation; outbox: DomainEvent[] }>();

  /** Every event written for the order, in write order. */
  eventsOf(orderId: string): DomainEvent[] {
    return [...(this.reservations.get(orderId)?.outbox ?? [])];
  }

  async findByOrderId(orderId: string): Promise<Reservation | null> {
    const stored = this.reservations.get(orderId);
    return stored ? structuredClone(stored.reservation) : null;
  }

  async findByOrderIdsExcept(orderIds: string[], statuses: ReservationStatus[]): Promise<Reservation[]> {
    return orderIds.flatMap((id) => {
      const stored = this.reservations.get(id);
      return stored && !statuses.includes(stored.reservation.status) ? [structuredClone(stored.reservation)] : [];
    });
  }

  openOrGet(orderId: string, reservationId: string, lines: StockLine[]): Promise<Reservation> {
    return this.insertOrGet(orderId, reservationId, 'RESERVING', lines);
  }

  tombstoneOrGet(orderId: string, reservationId: string): Promise<Reservation> {
    return this.insertOrGet(orderId, reservationId, 'CANCELLED_BEFORE_RESERVE', []);
  }

  async transition(
    orderId: string,
    from: ReservationStatus[],
    to: ReservationStatus,
    changes: TransitionChanges,
    events: DomainEvent[],
  ): Promise<Reservation | null> {
    const stored = this.reservations.get(orderId);
    if (!stored || !from.includes(stored.reservation.status)) return null;
    stored.reservation = { ...stored.reservation, ...structuredClone(changes), status: to, updatedAt: new Date() };
    stored.outbox.push(...events);
    return structuredClone(stored.reservation);
  }

  private async insertOrGet(orderId: string, reservationId: string, status: ReservationStatus, lines: StockLine[]): Promise<Reservation> {
    if (!this.reservations.has(orderId)) {
      const now = new Date();
      this.reservations.set(orderId, {
        reservation: { orderId, reservationId, status, lines: structuredClone(lines), createdAt: now, updatedAt: now },
        outbox: [],
      });
    }
    return structuredClone(this.reservations.get(orderId)!.reservation);
  }
}

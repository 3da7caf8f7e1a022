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

  /** Test view: which products each order still holds (its ledger's `holding`). */
  holdingOf(orderId: string): string[] {
    return [...(this.reservations.get(orderId)?.reservation.holding ?? [])];
  }

  async findByOrderIds(orderIds: string[]): Promise<Reservation[]> {
    return orderIds.flatMap((id) => {
      const stored = this.reservations.get(id);
      return stored ? [structuredClone(stored.reservation)] : [];
    });
  }

  async findHolding(statuses: readonly ReservationStatus[]): Promise<Reservation[]> {
    return [...this.reservations.values()]
      .filter(({ reservation }) => statuses.includes(reservation.status) && reservation.holding.length > 0)
      .map(({ reservation }) => structuredClone(reservation));
  }

  async recordGivenBack(orderId: string, productIds: string[]): Promise<void> {
    const stored = this.reservations.get(orderId);
    if (stored)
      stored.reservation = { ...stored.reservation, holding: stored.reservation.holding.filter((id) => !productIds.includes(id)) };
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
    stored.reservation = {
      ...stored.reservation,
      ...structuredClone(changes),
      ...(changes.held ? { holding: changes.held.map((h) => h.productId) } : {}),
      status: to,
      updatedAt: new Date(),
    };
    stored.outbox.push(...events);
    return structuredClone(stored.reservation);
  }

  private async insertOrGet(orderId: string, reservationId: string, status: ReservationStatus, lines: StockLine[]): Promise<Reservation> {
    if (!this.reservations.has(orderId)) {
      const now = new Date();
      this.reservations.set(orderId, {
        reservation: {
          orderId,
          reservationId,
          status,
          lines: structuredClone(lines),
          held: [],
          holding: [],
          createdAt: now,
          updatedAt: now,
        },
        outbox: [],
      });
    }
    return structuredClone(this.reservations.get(orderId)!.reservation);
  }
}

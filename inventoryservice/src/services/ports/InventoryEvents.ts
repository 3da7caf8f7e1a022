import type { DomainEvent } from '@orderplatform/shared/contracts';
import type { Reservation, ReservationFailure } from '../../domain/Reservation.js';

/** Builds this service's events; they leave through the reservation's outbox, in the write that causes them. */
export interface InventoryEvents {
  reserved(reservation: Reservation): DomainEvent<'InventoryReserved'>;
  failed(orderId: string, failure: ReservationFailure): DomainEvent<'InventoryFailed'>;
  released(reservation: Reservation, reason: string): DomainEvent<'InventoryReleased'>;
}

import { createEvent, type DomainEvent } from '@orderplatform/shared/contracts';
import { injectable } from 'tsyringe';
import { SERVICE_NAME } from '../config.js';
import type { Reservation, ReservationFailure } from '../domain/Reservation.js';
import type { InventoryEvents } from '../services/ports/InventoryEvents.js';

/**
 * Builds the inventory events (validated against the shared contracts). They are published through
 * the reservation's outbox: the repository writes them with the status change, the relay sends them.
 * Correlation and causation come from the event being handled.
 */
@injectable()
export class InventoryEventPublisher implements InventoryEvents {
  reserved(reservation: Reservation): DomainEvent<'InventoryReserved'> {
    return createEvent(
      'InventoryReserved',
      { orderId: reservation.orderId, reservationId: reservation.reservationId, items: reservation.lines },
      { source: SERVICE_NAME },
    );
  }

  failed(orderId: string, failure: ReservationFailure): DomainEvent<'InventoryFailed'> {
    return createEvent('InventoryFailed', { orderId, ...failure }, { source: SERVICE_NAME });
  }

  released(reservation: Reservation, reason: string): DomainEvent<'InventoryReleased'> {
    return createEvent(
      'InventoryReleased',
      { orderId: reservation.orderId, reservationId: reservation.reservationId, items: reservation.lines, reason },
      { source: SERVICE_NAME },
    );
  }
}

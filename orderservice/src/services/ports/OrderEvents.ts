import type { DomainEvent } from '@orderplatform/shared/contracts';
import type { Cancellation, Order } from '../../domain/Order.js';

/**
 * Builds the events of the order lifecycle (SPEC §4). They are not sent from here: the repository
 * writes them with the state change and the outbox relay publishes them.
 */
export interface OrderEvents {
  placed(order: Order): DomainEvent<'OrderPlaced'>;
  confirmed(order: Order, reservationId?: string): DomainEvent<'OrderConfirmed'>;
  /** `order` is the order before the change: its status becomes the event's previousStatus. */
  cancelled(order: Order, cancellation: Cancellation): DomainEvent<'OrderCancelled'>;
  shipped(order: Order): DomainEvent<'OrderShipped'>;
  delivered(order: Order): DomainEvent<'OrderDelivered'>;
}

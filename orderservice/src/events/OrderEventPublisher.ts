import { createEvent, type DomainEvent } from '@orderplatform/shared/contracts';
import { injectable } from 'tsyringe';
import { SERVICE_NAME } from '../config.js';
import { fromCents } from '../domain/money.js';
import type { Cancellation, Order } from '../domain/Order.js';
import type { OrderEvents } from '../services/ports/OrderEvents.js';

/** Who the order belongs to, in every lifecycle event: notificationservice reaches the customer with it. */
const orderRef = (order: Order) => ({
  orderId: order.id,
  customerId: order.customerId,
  ...(order.customer ? { customer: order.customer } : {}),
});

/**
 * The order events, in their latest versions, with the current correlation/causation ids. They go
 * out through the outbox: the repository stores them with the state change that caused them.
 */
@injectable()
export class OrderEventPublisher implements OrderEvents {
  private readonly source = SERVICE_NAME;

  placed(order: Order): DomainEvent<'OrderPlaced'> {
    return createEvent(
      'OrderPlaced',
      {
        ...orderRef(order),
        items: order.items.map((line) => ({ productId: line.productId, quantity: line.quantity, price: fromCents(line.unitPriceCents) })),
        totalAmount: fromCents(order.totalCents),
        currency: order.currency,
      },
      { source: this.source },
    );
  }

  confirmed(order: Order, reservationId?: string): DomainEvent<'OrderConfirmed'> {
    return createEvent(
      'OrderConfirmed',
      {
        ...orderRef(order),
        totalAmount: fromCents(order.totalCents),
        currency: order.currency,
        ...(reservationId ? { reservationId } : {}),
      },
      { source: this.source },
    );
  }

  cancelled(order: Order, cancellation: Cancellation): DomainEvent<'OrderCancelled'> {
    return createEvent(
      'OrderCancelled',
      {
        ...orderRef(order),
        reason: cancellation.reason,
        ...(cancellation.details ? { details: cancellation.details } : {}),
        previousStatus: order.status,
        totalAmount: fromCents(order.totalCents),
      },
      { source: this.source },
    );
  }

  shipped(order: Order): DomainEvent<'OrderShipped'> {
    return createEvent(
      'OrderShipped',
      { ...orderRef(order), items: order.items.map((line) => ({ productId: line.productId, quantity: line.quantity })) },
      { source: this.source },
    );
  }

  delivered(order: Order): DomainEvent<'OrderDelivered'> {
    return createEvent('OrderDelivered', orderRef(order), { source: this.source });
  }
}

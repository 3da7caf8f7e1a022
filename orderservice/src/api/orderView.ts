import { fromCents } from '../domain/money.js';
import type { Order, TimelineEntry } from '../domain/Order.js';

/** The order as clients see it: amounts as 2-decimal numbers, dates as ISO strings, no internals. */
export function toOrderView(order: Order) {
  return {
    id: order.id,
    orderId: order.id,
    customerId: order.customerId,
    ...(order.customer ? { customer: order.customer } : {}),
    items: order.items.map((line) => ({ productId: line.productId, quantity: line.quantity, price: fromCents(line.unitPriceCents) })),
    totalAmount: fromCents(order.totalCents),
    currency: order.currency,
    status: order.status,
    ...(order.cancellation ? { cancellation: order.cancellation } : {}),
    ...(order.reservationId ? { reservationId: order.reservationId } : {}),
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}

export type OrderView = ReturnType<typeof toOrderView>;

export const toTimelineView = (entry: TimelineEntry) => ({ ...entry, at: entry.at.toISOString() });

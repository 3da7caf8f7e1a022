import { fromCents } from '../domain/money.js';
import type { Order, TimelineEntry } from '../domain/Order.js';
import type { OrderPage } from '../services/OrderQueryService.js';
import { encodeCursor } from './cursor.js';
import type { OrderPageView, OrderView, TimelineEntryView } from './responseSchemas.js';

/** The order as clients see it: amounts as 2-decimal numbers, dates as ISO strings, no internals. */
export function toOrderView(order: Order): OrderView {
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

export const toOrderPageView = (page: OrderPage): OrderPageView => ({
  orders: page.orders.map(toOrderView),
  nextCursor: page.next ? encodeCursor(page.next) : null,
});

export const toTimelineView = (entry: TimelineEntry): TimelineEntryView => ({ ...entry, at: entry.at.toISOString() });

import type { Order, TimelineEntry } from '../domain/Order.js';
import type { OrderDocument } from './models/OrderModel.js';

/** A stored order (lean) as the plain domain object; outbox and storage fields stay behind. */
export function toOrder(doc: OrderDocument): Order {
  return {
    id: doc._id,
    customerId: doc.customerId,
    ...(doc.customer ? { customer: { ...doc.customer } } : {}),
    items: doc.items.map((line) => ({ productId: line.productId, quantity: line.quantity, unitPriceCents: line.unitPriceCents })),
    totalCents: doc.totalCents,
    currency: doc.currency,
    status: doc.status,
    ...(doc.cancellation
      ? { cancellation: { reason: doc.cancellation.reason, ...(doc.cancellation.details ? { details: doc.cancellation.details } : {}) } }
      : {}),
    ...(doc.reservationId ? { reservationId: doc.reservationId } : {}),
    correlationId: doc.correlationId,
    ...(doc.idempotencyKey ? { idempotencyKey: doc.idempotencyKey } : {}),
    ...(doc.requestFingerprint ? { requestFingerprint: doc.requestFingerprint } : {}),
    timeline: (doc.timeline ?? []).map(toEntry),
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

const toEntry = (entry: TimelineEntry): TimelineEntry => ({
  status: entry.status,
  at: entry.at,
  eventType: entry.eventType,
  eventId: entry.eventId,
  ...(entry.causedBy ? { causedBy: entry.causedBy } : {}),
  ...(entry.reason ? { reason: entry.reason } : {}),
  ...(entry.details ? { details: entry.details } : {}),
});

import { orderStatus, cancelReason } from '@orderplatform/shared/contracts';
import { outboxPlugin, type OutboxFields } from '@orderplatform/shared/outbox';
import { Schema, type Connection, type Model } from 'mongoose';
import type { Cancellation, Contact, Order, OrderLine, TimelineEntry } from '../../domain/Order.js';

/** How an order is stored: the aggregate (its id as `_id`) plus its pending outbox events. */
export type OrderDocument = Omit<Order, 'id'> & OutboxFields & { _id: string };

const lineSchema = new Schema<OrderLine>(
  {
    productId: { type: String, required: true },
    quantity: { type: Number, required: true },
    unitPriceCents: { type: Number, required: true },
  },
  { _id: false },
);

const contactSchema = new Schema<Contact>({ email: String, phone: String, name: String }, { _id: false });

const cancellationSchema = new Schema<Cancellation>(
  { reason: { type: String, enum: cancelReason.options, required: true }, details: String },
  { _id: false },
);

const timelineSchema = new Schema<TimelineEntry>(
  {
    status: { type: String, enum: orderStatus.options, required: true },
    at: { type: Date, required: true },
    eventType: { type: String, required: true },
    eventId: { type: String, required: true },
    causedBy: String,
    reason: String,
    details: String,
  },
  { _id: false },
);

const orderSchema = new Schema<OrderDocument>(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    customer: { type: contactSchema, default: undefined },
    items: { type: [lineSchema], required: true },
    totalCents: { type: Number, required: true },
    currency: { type: String, required: true },
    status: { type: String, enum: orderStatus.options, required: true },
    cancellation: { type: cancellationSchema, default: undefined },
    reservationId: String,
    correlationId: { type: String, required: true },
    idempotencyKey: String,
    requestFingerprint: String,
    timeline: { type: [timelineSchema], default: [] },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
orderSchema.plugin(outboxPlugin);
// One order per Idempotency-Key, even for two concurrent requests; orders without a key are not indexed.
orderSchema.index({ idempotencyKey: 1 }, { unique: true, sparse: true });
orderSchema.index({ customerId: 1, createdAt: -1, _id: -1 });
orderSchema.index({ status: 1, createdAt: 1 });

/** The Order model on a service's own connection (one per connection). */
export function orderModel(connection: Connection): Model<OrderDocument> {
  return (connection.models.Order as Model<OrderDocument> | undefined) ?? connection.model<OrderDocument>('Order', orderSchema, 'orders');
}

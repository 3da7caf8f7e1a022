import { Schema, type Connection, type Model } from 'mongoose';
import type { PendingMarker, Product } from '../../domain/Product.js';
import { MARKER_STEPS } from '../../domain/Product.js';

/**
 * A product's counters plus only what is in flight (see ReservationService): its size does not grow
 * with the number of open orders. Which order holds what is on the reservations.
 */
export interface ProductDocument extends Product {
  /** Give-back fences: counter name (an order's is fenceOf(orderId)) → give-backs pushed under it; absent = 0. */
  giveBackSeq: Record<string, number>;
  pending: PendingMarker[];
  createdAt: Date;
  updatedAt: Date;
}

const markerSchema = new Schema<PendingMarker>(
  {
    orderId: { type: String, required: true },
    attemptId: { type: String, required: true },
    quantity: { type: Number, required: true },
    step: { type: String, required: true, enum: MARKER_STEPS },
    at: { type: Date, required: true },
  },
  { _id: false },
);

const productSchema = new Schema<ProductDocument>(
  {
    productId: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    available: { type: Number, required: true },
    reserved: { type: Number, required: true, default: 0 },
    sold: { type: Number, required: true, default: 0 },
    initial: { type: Number, required: true },
    restocked: { type: Number, required: true, default: 0 },
    giveBackSeq: { type: Schema.Types.Mixed, default: () => ({}) },
    pending: { type: [markerSchema], default: [] },
  },
  { timestamps: true, versionKey: false, collection: 'products' },
);
// The reconciler's query for markers left in flight (mongo-java-server ignores non-unique indexes).
productSchema.index({ 'pending.at': 1 });

export function productModel(connection: Connection): Model<ProductDocument> {
  return (connection.models.Product as Model<ProductDocument> | undefined) ?? connection.model<ProductDocument>('Product', productSchema);
}

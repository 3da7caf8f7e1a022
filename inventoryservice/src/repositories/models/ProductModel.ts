import { Schema, type Connection, type Model } from 'mongoose';
import type { PendingMarker, Product } from '../../domain/Product.js';
import { MARKER_STEPS } from '../../domain/Product.js';

/**
 * A product's counters plus only what is in flight (see ReservationService): its size does not grow
 * with the number of open orders. Which order holds what is on the reservations.
 */
export interface ProductDocument extends Product {
  /** Bumped by every give-back pushed on this product: the fence of a stale give-back. Absent on old documents (= 0). */
  giveBackSeq: number;
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
    giveBackSeq: { type: Number, required: true, default: 0 },
    pending: { type: [markerSchema], default: [] },
  },
  { timestamps: true, versionKey: false, collection: 'products' },
);
// The reconciler's query for markers left in flight (mongo-java-server ignores non-unique indexes).
productSchema.index({ 'pending.at': 1 });

export function productModel(connection: Connection): Model<ProductDocument> {
  return (connection.models.Product as Model<ProductDocument> | undefined) ?? connection.model<ProductDocument>('Product', productSchema);
}

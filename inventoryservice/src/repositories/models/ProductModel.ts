import { Schema, type Connection, type Model } from 'mongoose';
import type { Product } from '../../domain/Product.js';

/** One order's claim on a product's reserved units; at most one per order (the hold step's filter). */
export interface Hold {
  orderId: string;
  quantity: number;
  /** The reserve attempt that took it (absent on holds written before attempts were recorded). */
  attemptId?: string;
}

export interface ProductDocument extends Product {
  holds: Hold[];
  createdAt: Date;
  updatedAt: Date;
}

const holdSchema = new Schema<Hold>(
  {
    orderId: { type: String, required: true },
    quantity: { type: Number, required: true },
    attemptId: { type: String, default: undefined },
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
    holds: { type: [holdSchema], default: [] },
  },
  { timestamps: true, versionKey: false, collection: 'products' },
);

export function productModel(connection: Connection): Model<ProductDocument> {
  return (connection.models.Product as Model<ProductDocument> | undefined) ?? connection.model<ProductDocument>('Product', productSchema);
}

import { isDuplicateKeyError as isDuplicateKey, trusted as op } from '@orderplatform/shared/persistence';
import type { Model } from 'mongoose';
import { inject, injectable } from 'tsyringe';
import type { NewProduct, Product, ProductForOrder } from '../domain/Product.js';
import type { HoldChange, ProductRepository } from '../services/ports/ProductRepository.js';
import { TOKENS } from '../tokens.js';
import type { Hold, ProductDocument } from './models/ProductModel.js';

const STOCK = { _id: 0, productId: 1, name: 1, available: 1, reserved: 1, sold: 1, initial: 1, restocked: 1 } as const;

type StockDoc = Pick<ProductDocument, keyof Product> & { holds?: Hold[] };

/** Enough available and no hold of this order yet: what makes a hold atomic and idempotent per (product, order). */
const holdFilter = (productId: string, orderId: string, quantity: number) => ({
  productId,
  available: op({ $gte: quantity }),
  'holds.orderId': op({ $ne: orderId }),
});
const holdUpdate = (orderId: string, quantity: number, attemptId: string) => ({
  $inc: { available: -quantity, reserved: quantity },
  $push: { holds: { orderId, quantity, attemptId } },
});

const toProduct = (doc: StockDoc): Product => ({
  productId: doc.productId,
  name: doc.name,
  available: doc.available,
  reserved: doc.reserved,
  sold: doc.sold,
  initial: doc.initial,
  restocked: doc.restocked,
});

/**
 * Products in MongoDB. Each stock change is one conditional `updateOne` on one document; the filter
 * (enough available, the order's hold present or absent) is what makes it atomic and idempotent.
 */
@injectable()
export class MongoProductRepository implements ProductRepository {
  constructor(@inject(TOKENS.ProductModel) private readonly model: Model<ProductDocument>) {}

  async list(): Promise<Product[]> {
    return (await this.model.find({}, STOCK).sort({ productId: 1 }).lean<StockDoc[]>()).map(toProduct);
  }

  async findById(productId: string): Promise<Product | null> {
    const doc = await this.model.findOne({ productId }, STOCK).lean<StockDoc>();
    return doc ? toProduct(doc) : null;
  }

  async findForOrder(productIds: string[], orderId: string): Promise<ProductForOrder[]> {
    // Only this order's hold is read back, however many other orders hold the product.
    const docs = await this.model
      .find({ productId: op({ $in: productIds }) }, { ...STOCK, holds: op({ $elemMatch: { orderId } }) })
      .lean<StockDoc[]>();
    return docs.map((doc) => {
      const hold = doc.holds?.find((h) => h.orderId === orderId);
      return { ...toProduct(doc), heldQuantity: hold?.quantity ?? 0, ...(hold?.attemptId ? { heldBy: hold.attemptId } : {}) };
    });
  }

  async hold(productId: string, orderId: string, quantity: number, attemptId: string): Promise<boolean> {
    const result = await this.model.updateOne(holdFilter(productId, orderId, quantity), holdUpdate(orderId, quantity, attemptId));
    return result.modifiedCount === 1;
  }

  async holdEach(orderId: string, lines: ReadonlyArray<{ productId: string; quantity: number }>, attemptId: string): Promise<void> {
    if (lines.length === 0) return;
    // Unordered: every line is tried whatever the others' outcome; a filter that matches nothing is not an error.
    await this.model.bulkWrite(
      lines.map(({ productId, quantity }) => ({
        updateOne: { filter: holdFilter(productId, orderId, quantity), update: holdUpdate(orderId, quantity, attemptId) },
      })),
      { ordered: false },
    );
  }

  async takeHolds(orderId: string, changes: ReadonlyArray<HoldChange>): Promise<void> {
    if (changes.length === 0) return;
    await this.model.bulkWrite(
      changes.map(({ productId, quantity, attemptId, to }) => {
        const hold = attemptId === undefined ? { orderId } : { orderId, attemptId };
        const inc = to === 'available' ? { available: quantity, reserved: -quantity } : { reserved: -quantity, sold: quantity };
        return {
          updateOne: {
            filter: { productId, holds: op({ $elemMatch: { ...hold, quantity } }) },
            update: { $inc: inc, $pull: { holds: hold } },
          },
        };
      }),
      { ordered: false },
    );
  }

  async ordersHolding(): Promise<string[]> {
    const docs = await this.model
      .find({ 'holds.0': op({ $exists: true }) }, { _id: 0, 'holds.orderId': 1 })
      .lean<Array<{ holds: Array<Pick<Hold, 'orderId'>> }>>();
    return [...new Set(docs.flatMap((d) => d.holds.map((h) => h.orderId)))];
  }

  async createIfAbsent({ productId, name, initial }: NewProduct): Promise<boolean> {
    try {
      const result = await this.model.updateOne(
        { productId },
        { $setOnInsert: { productId, name, initial, available: initial, reserved: 0, sold: 0, restocked: 0, holds: [] } },
        { upsert: true },
      );
      return result.upsertedCount === 1;
    } catch (err) {
      // Two upserts raced on the unique productId: the other one created it.
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async setAvailable(productId: string, expectedAvailable: number, newAvailable: number, name?: string): Promise<Product | null> {
    const delta = newAvailable - expectedAvailable;
    const doc = await this.model
      .findOneAndUpdate(
        { productId, available: expectedAvailable },
        { $inc: { available: delta, restocked: delta }, ...(name === undefined ? {} : { $set: { name } }) },
        { new: true, projection: STOCK },
      )
      .lean<StockDoc>();
    return doc ? toProduct(doc) : null;
  }

  async isEmpty(): Promise<boolean> {
    return (await this.model.exists({})) === null;
  }
}

import { isDuplicateKeyError as isDuplicateKey, trusted as op } from '@orderplatform/shared/persistence';
import type { Model } from 'mongoose';
import { inject, injectable } from 'tsyringe';
import type { NewProduct, Product, ProductForOrder, ProductRepository } from '../services/ports/ProductRepository.js';
import { TOKENS } from '../tokens.js';
import type { Hold, ProductDocument } from './models/ProductModel.js';

const STOCK = { _id: 0, productId: 1, name: 1, available: 1, reserved: 1, sold: 1, initial: 1, restocked: 1 } as const;

type StockDoc = Pick<ProductDocument, keyof Product> & { holds?: Hold[] };

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
    const docs = await this.model.find({ productId: op({ $in: productIds }) }, { ...STOCK, holds: op({ $elemMatch: { orderId } }) }).lean<StockDoc[]>();
    return docs.map((doc) => {
      const hold = doc.holds?.find((h) => h.orderId === orderId);
      return { ...toProduct(doc), heldQuantity: hold?.quantity ?? 0, ...(hold?.attemptId ? { heldBy: hold.attemptId } : {}) };
    });
  }

  async hold(productId: string, orderId: string, quantity: number, attemptId: string): Promise<boolean> {
    const result = await this.model.updateOne(
      { productId, available: op({ $gte: quantity }), 'holds.orderId': op({ $ne: orderId }) },
      { $inc: { available: -quantity, reserved: quantity }, $push: { holds: { orderId, quantity, attemptId } } },
    );
    return result.modifiedCount === 1;
  }

  release(productId: string, orderId: string, quantity: number, attemptId?: string): Promise<boolean> {
    return this.takeHold(productId, orderId, quantity, attemptId, { available: quantity, reserved: -quantity });
  }

  sell(productId: string, orderId: string, quantity: number, attemptId?: string): Promise<boolean> {
    return this.takeHold(productId, orderId, quantity, attemptId, { reserved: -quantity, sold: quantity });
  }

  async ordersHolding(): Promise<string[]> {
    const docs = await this.model.find({ 'holds.0': op({ $exists: true }) }, { _id: 0, 'holds.orderId': 1 }).lean<Array<{ holds: Array<Pick<Hold, 'orderId'>> }>>();
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

  /** Removes the order's hold (only the one `attemptId` took, when given) and moves its units as `inc` says. */
  private async takeHold(productId: string, orderId: string, quantity: number, attemptId: string | undefined, inc: Partial<Record<keyof Product, number>>): Promise<boolean> {
    const hold = attemptId === undefined ? { orderId } : { orderId, attemptId };
    const result = await this.model.updateOne({ productId, holds: op({ $elemMatch: { ...hold, quantity } }) }, { $inc: inc, $pull: { holds: hold } });
    return result.modifiedCount === 1;
  }
}

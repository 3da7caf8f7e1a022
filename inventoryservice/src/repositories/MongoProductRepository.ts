import { isDuplicateKeyError as isDuplicateKey, trusted as op } from '@orderplatform/shared/persistence';
import type { Model, UpdateQuery } from 'mongoose';
import { inject, injectable } from 'tsyringe';
import type { NewProduct, PendingMarker, Product, ProductForOrder } from '../domain/Product.js';
import type { GiveBack, HoldRequest, MarkerRemoval, ProductRepository } from '../services/ports/ProductRepository.js';
import { TOKENS } from '../tokens.js';
import type { ProductDocument } from './models/ProductModel.js';

const STOCK = { _id: 0, productId: 1, name: 1, available: 1, reserved: 1, sold: 1, initial: 1, restocked: 1 } as const;

type StockDoc = Pick<ProductDocument, keyof Product> & Partial<Pick<ProductDocument, 'giveBackSeq' | 'pending'>>;

/** Enough available and no marker of this order: what makes a hold atomic and one per (product, order). */
const holdFilter = (productId: string, orderId: string, quantity: number) => ({
  productId,
  available: op({ $gte: quantity }),
  'pending.orderId': op({ $ne: orderId }),
});
const holdUpdate = (orderId: string, quantity: number, attemptId: string) => ({
  $inc: { available: -quantity, reserved: quantity },
  $push: { pending: { orderId, attemptId, quantity, step: 'hold', at: new Date() } satisfies PendingMarker },
});

/**
 * Pulls each of these markers (exact: order, attempt, step) from a product's `pending`. `$pull` takes a
 * query on the array's elements, and mongoose casts it as one, `$or` included (its types admit only field
 * conditions, hence the cast).
 */
const pullEach = (markers: ReadonlyArray<Pick<MarkerRemoval, 'orderId' | 'attemptId' | 'step'>>): UpdateQuery<ProductDocument> =>
  ({ $pull: { pending: markers.length === 1 ? markers[0] : { $or: markers } } }) as UpdateQuery<ProductDocument>;

/**
 * The give-back fence is split into GIVE_BACK_FENCES counters per product, an order using the one its
 * id hashes to: the fence only has to see every give-back of the same order (ReservationService), so
 * other orders' give-backs on a hot product rarely make a push miss. The document stays bounded.
 */
const GIVE_BACK_FENCES = 32;
export const fenceOf = (orderId: string): string => {
  let hash = 2_166_136_261;
  for (let i = 0; i < orderId.length; i++) hash = Math.imul(hash ^ orderId.charCodeAt(i), 16_777_619);
  return `f${(hash >>> 0) % GIVE_BACK_FENCES}`;
};

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
 * (enough available, the order's marker present or absent, the give-back fence) is what makes it atomic
 * and idempotent. A product holds only in-flight markers, so these documents stay small.
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
    // All markers are read (an order may have two on a product; `$elemMatch` projects one): only in-flight ones, a few.
    const docs = await this.model.find({ productId: op({ $in: productIds }) }, { ...STOCK, giveBackSeq: 1, pending: 1 }).lean<StockDoc[]>();
    return docs.map((doc) => ({
      ...toProduct(doc),
      giveBackSeq: doc.giveBackSeq?.[fenceOf(orderId)] ?? 0,
      pending: (doc.pending ?? [])
        .filter((m) => m.orderId === orderId)
        .map(({ orderId: id, attemptId, quantity, step, at }) => ({ orderId: id, attemptId, quantity, step, at })),
    }));
  }

  async hold(productId: string, orderId: string, quantity: number, attemptId: string): Promise<boolean> {
    const result = await this.model.updateOne(holdFilter(productId, orderId, quantity), holdUpdate(orderId, quantity, attemptId));
    return result.modifiedCount === 1;
  }

  async holdEach(orderId: string, lines: ReadonlyArray<{ productId: string; quantity: number }>, attemptId: string): Promise<number> {
    if (lines.length === 0) return 0;
    // Unordered: every line is tried whatever the others' outcome; a filter that matches nothing is not an error.
    const result = await this.model.bulkWrite(
      lines.map(({ productId, quantity }) => ({
        updateOne: { filter: holdFilter(productId, orderId, quantity), update: holdUpdate(orderId, quantity, attemptId) },
      })),
      { ordered: false },
    );
    return result.modifiedCount;
  }

  async holdTogether(requests: ReadonlyArray<HoldRequest>): Promise<Set<string>> {
    const byProduct = new Map<string, Array<{ orderId: string; attemptId: string; quantity: number }>>();
    for (const { orderId, attemptId, lines } of requests)
      for (const { productId, quantity } of lines) {
        const holds = byProduct.get(productId) ?? [];
        holds.push({ orderId, attemptId, quantity });
        byProduct.set(productId, holds);
      }
    const everyOrder = new Set(requests.map((r) => r.orderId));
    if (byProduct.size === 0) return everyOrder;
    const at = new Date();
    const result = await this.model.bulkWrite(
      [...byProduct].map(([productId, holds]) => {
        const total = holds.reduce((sum, h) => sum + h.quantity, 0);
        return {
          updateOne: {
            // holdFilter for all of them at once: enough for their sum, and a marker of none of them.
            filter: { productId, available: op({ $gte: total }), 'pending.orderId': op({ $nin: holds.map((h) => h.orderId) }) },
            update: {
              $inc: { available: -total, reserved: total },
              $push: {
                pending: {
                  $each: holds.map(
                    ({ orderId, attemptId, quantity }) => ({ orderId, attemptId, quantity, step: 'hold', at }) satisfies PendingMarker,
                  ),
                },
              },
            },
          },
        };
      }),
      { ordered: false },
    );
    if (result.modifiedCount === byProduct.size) return everyOrder;
    // Some product refused its orders (short, unknown, one of them marked already): a write pushed all of
    // its orders' markers or none, so one of them on the product says which products took theirs.
    const docs = await this.model
      .find({ productId: op({ $in: [...byProduct.keys()] }) }, { _id: 0, productId: 1, pending: 1 })
      .lean<Array<Pick<ProductDocument, 'productId' | 'pending'>>>();
    const took = new Set(
      docs
        .filter((doc) => {
          const [first] = byProduct.get(doc.productId)!;
          return doc.pending.some((m) => m.step === 'hold' && m.orderId === first!.orderId && m.attemptId === first!.attemptId);
        })
        .map((doc) => doc.productId),
    );
    return new Set(requests.filter((r) => r.lines.every((l) => took.has(l.productId))).map((r) => r.orderId));
  }

  async giveBackEach(orderId: string, giveBacks: ReadonlyArray<GiveBack>): Promise<number> {
    if (giveBacks.length === 0) return 0;
    const at = new Date();
    const fence = `giveBackSeq.${fenceOf(orderId)}`;
    const result = await this.model.bulkWrite(
      giveBacks.map(({ productId, quantity, step, attemptId, expectedSeq }) => ({
        updateOne: {
          filter: {
            productId,
            // A fence never bumped (or a product written before fences existed) is absent: it counts as 0.
            [fence]: expectedSeq === 0 ? op({ $in: [0, null] }) : expectedSeq,
            pending: op({ $not: { $elemMatch: { orderId, step: { $in: ['release', 'sell'] } } } }),
          },
          update: {
            $inc:
              step === 'release'
                ? { available: quantity, reserved: -quantity, [fence]: 1 }
                : { sold: quantity, reserved: -quantity, [fence]: 1 },
            $push: { pending: { orderId, attemptId, quantity, step, at } satisfies PendingMarker },
          },
        },
      })),
      { ordered: false },
    );
    return result.modifiedCount;
  }

  async removeMarkers(removals: ReadonlyArray<MarkerRemoval>): Promise<void> {
    if (removals.length === 0) return;
    const pullsByProduct = new Map<string, Array<Pick<MarkerRemoval, 'orderId' | 'attemptId' | 'step'>>>();
    for (const { orderId, productId, attemptId, step, reverse } of removals) {
      if (reverse) continue;
      const pulls = pullsByProduct.get(productId) ?? [];
      pulls.push({ orderId, attemptId, step });
      pullsByProduct.set(productId, pulls);
    }
    await this.model.bulkWrite(
      [
        // A reversal must find exactly its marker: the units go back only with the marker they came with.
        ...removals
          .filter((r) => r.reverse)
          .map(({ orderId, productId, attemptId, step, quantity }) => ({
            updateOne: {
              filter: { productId, pending: op({ $elemMatch: { orderId, attemptId, step, quantity } }) },
              update: { $pull: { pending: { orderId, attemptId, step } }, $inc: { available: quantity, reserved: -quantity } },
            },
          })),
        // A plain pull changes no counter: pulling a marker that is gone already is a no-op, so one write per product takes them all.
        ...[...pullsByProduct].map(([productId, pulls]) => ({
          updateOne: {
            filter: { productId },
            update: pullEach(pulls),
          },
        })),
      ],
      { ordered: false },
    );
  }

  async ordersWithMarkersBefore(before: Date): Promise<string[]> {
    const docs = await this.model
      .find({ 'pending.at': op({ $lte: before }) }, { _id: 0, pending: 1 })
      .lean<Array<Pick<ProductDocument, 'pending'>>>();
    return [...new Set(docs.flatMap((d) => d.pending.filter((m) => m.at <= before).map((m) => m.orderId)))];
  }

  async createIfAbsent({ productId, name, initial }: NewProduct): Promise<boolean> {
    try {
      const result = await this.model.updateOne(
        { productId },
        {
          $setOnInsert: { productId, name, initial, available: initial, reserved: 0, sold: 0, restocked: 0, giveBackSeq: {}, pending: [] },
        },
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

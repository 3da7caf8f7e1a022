import mongoose, { Schema } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbUrlFor, uniqueName } from '../support/infra.js';

interface Stock {
  sku: string;
  available: number;
}

describe('real MongoDB-compatible server through mongoose', () => {
  const conn = mongoose.createConnection(dbUrlFor(uniqueName('infra')));
  const StockModel = conn.model<Stock>(
    'Stock',
    new Schema<Stock>({ sku: { type: String, required: true, unique: true }, available: { type: Number, required: true } }),
  );

  beforeAll(async () => {
    await conn.asPromise();
    // init() is the one creation of collection + indexes; a second concurrent creation (e.g. syncIndexes
    // racing the implicit init) trips mongo-java-server.
    await StockModel.init();
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('rejects a duplicate on a unique index with error 11000 and keeps the first document', async () => {
    await StockModel.create({ sku: 'dup', available: 1 });

    const error = await StockModel.create({ sku: 'dup', available: 2 }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 11000 });
    expect(await StockModel.find({ sku: 'dup' }).lean()).toEqual([expect.objectContaining({ available: 1 })]);
  });

  it('lets exactly 20 of 50 concurrent conditional decrements succeed against stock 20', async () => {
    await StockModel.create({ sku: 'hot', available: 20 });

    const results = await Promise.all(
      Array.from({ length: 50 }, () => StockModel.updateOne({ sku: 'hot', available: { $gte: 1 } }, { $inc: { available: -1 } })),
    );

    expect(results.filter((r) => r.modifiedCount === 1)).toHaveLength(20);
    expect((await StockModel.findOne({ sku: 'hot' }).lean())?.available).toBe(0);
  });
});

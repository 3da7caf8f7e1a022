import { MongoClient, type Collection } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbUrlFor, uniqueName } from '../support/infra.js';

interface Doc {
  _id: string;
  sku: string;
  status: string;
  n: number;
  tags: string[];
}

/**
 * The local launcher answers a filter that has an equality or $in on a single-field unique index
 * (`_id`, `sku` here) through that index and lets the server's matcher apply the rest
 * (infra/local/MongoLauncher.java). These check that the rest of the filter still decides, for
 * reads, conditional updates, upserts, deletes, sorting and limits.
 */
describe('filters on a unique field plus other conditions', () => {
  const dbName = uniqueName('planning');
  const client = new MongoClient(dbUrlFor(dbName));
  let docs: Collection<Doc>;

  beforeAll(async () => {
    await client.connect();
    const db = client.db(dbName);
    await db.createCollection('docs');
    docs = db.collection<Doc>('docs');
    await docs.createIndex({ sku: 1 }, { unique: true });
    await docs.insertMany(
      Array.from({ length: 200 }, (_, i) => ({ _id: `d${i}`, sku: `s${i}`, status: i % 2 === 0 ? 'A' : 'B', n: i, tags: [`t${i % 3}`] })),
    );
  });
  afterAll(async () => {
    await client.db(dbName).dropDatabase();
    await client.close();
  });

  it('a conditional update by _id matches only when the other conditions hold', async () => {
    const miss = await docs.updateOne({ _id: 'd0', status: 'B' }, { $set: { n: -1 } });
    const hit = await docs.updateOne({ _id: 'd0', status: 'A' }, { $set: { n: 1000 } });

    expect(miss.matchedCount).toBe(0);
    expect(hit.matchedCount).toBe(1);
    expect(await docs.findOne({ _id: 'd0' })).toMatchObject({ n: 1000, status: 'A' });
  });

  it('$in on _id with more conditions returns only the documents matching all of them, sorted and limited', async () => {
    const ids = ['d2', 'd3', 'd4', 'd5', 'd6', 'nope'];

    const all = await docs
      .find({ _id: { $in: ids }, status: 'A', tags: { $ne: 't1' } })
      .sort({ n: -1 })
      .toArray();
    const first = await docs
      .find({ _id: { $in: ids }, status: 'A' })
      .sort({ n: 1 })
      .limit(1)
      .toArray();

    expect(all.map((d) => d._id)).toEqual(['d6', 'd2']);
    expect(first.map((d) => d._id)).toEqual(['d2']);
    expect(await docs.countDocuments({ _id: { $in: ids }, status: 'B' })).toBe(2);
  });

  it('equality on another unique field with a range condition decides atomically', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => docs.updateOne({ sku: 's7', n: { $gte: 4 } }, { $inc: { n: -1 } })));

    expect(results.filter((r) => r.modifiedCount === 1)).toHaveLength(4);
    expect(await docs.findOne({ sku: 's7' })).toMatchObject({ n: 3 });
  });

  it('an upsert whose filter names a missing _id inserts once, then matches', async () => {
    const first = await docs.updateOne({ _id: 'new', status: 'A' }, { $setOnInsert: { sku: 'new', n: 1, tags: [] } }, { upsert: true });
    const second = await docs.updateOne({ _id: 'new', status: 'A' }, { $setOnInsert: { sku: 'new', n: 2, tags: [] } }, { upsert: true });

    expect(first.upsertedCount).toBe(1);
    expect(second.matchedCount).toBe(1);
    expect(await docs.countDocuments({ sku: 'new' })).toBe(1);
  });

  it('deletes by $in on _id only what also matches the rest', async () => {
    const deleted = await docs.deleteMany({ _id: { $in: ['d10', 'd11', 'd12'] }, status: 'B' });

    expect(deleted.deletedCount).toBe(1);
    expect(await docs.countDocuments({ _id: { $in: ['d10', 'd11', 'd12'] } })).toBe(2);
  });

  it('filters with operators on _id other than $in still work (the server scans)', async () => {
    expect(await docs.countDocuments({ _id: { $gte: 'd19', $lt: 'd2' }, status: 'B' })).toBe(6);
    expect(await docs.countDocuments({ _id: { $nin: ['d1', 'd3'] }, status: 'B', n: { $lt: 10 } })).toBe(3);
    expect(await docs.countDocuments({ _id: /^d1\d$/, status: 'A' })).toBe(5);
  });
});

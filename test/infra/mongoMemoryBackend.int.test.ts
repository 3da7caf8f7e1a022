import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/lib/LocalStack.js';
import { kafkaBrokers } from '../support/infra.js';
import { privateStack } from '../support/privateStack.js';

/** STACK_MONGO_BACKEND=memory: the same server with nothing on disk, for benchmarks that want the database out of the way. */
describe('local stack with the memory backend', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'stack-memory-'));
  let stack: LocalStack | undefined;

  afterAll(async () => {
    await stack?.down();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const withClient = async <T>(url: string, use: (client: MongoClient) => Promise<T>): Promise<T> => {
    const client = new MongoClient(url, { directConnection: true });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.close();
    }
  };

  it(
    'starts, answers the driver, says which backend it runs and keeps nothing on disk or across a restart',
    { timeout: 240_000 },
    async () => {
      // Only the database is private: the shared broker is enough for this test.
      stack = await privateStack(stateDir, { mongoBackend: 'memory', kafkaBrokers: kafkaBrokers().join(',') });
      expect((await stack.up()).started).toEqual(['mongo']);

      const mongo = stack.status().find((row) => row.name === 'mongo');
      expect(mongo).toMatchObject({ state: 'running', backend: 'memory' });

      const docs = await withClient(stack.dbUrl, async (client) => {
        const things = client.db('memory_backend').collection<{ _id: string; status: string; n: number }>('things');
        await things.insertMany([
          { _id: 'a', status: 'PENDING', n: 1 },
          { _id: 'b', status: 'PENDING', n: 2 },
        ]);
        // A conditional update by _id (the launcher's unique-index planning) still decides by the whole filter.
        const miss = await things.updateOne({ _id: 'a', status: 'CONFIRMED' }, { $set: { n: -1 } });
        const hit = await things.updateOne({ _id: 'a', status: 'PENDING' }, { $set: { status: 'CONFIRMED' } });
        expect([miss.modifiedCount, hit.modifiedCount]).toEqual([0, 1]);
        return things.find({}).sort({ _id: 1 }).toArray();
      });
      expect(docs).toEqual([
        { _id: 'a', status: 'CONFIRMED', n: 1 },
        { _id: 'b', status: 'PENDING', n: 2 },
      ]);
      expect(existsSync(path.join(stateDir, 'data', 'mongo', 'db.mv'))).toBe(false);

      // A stack asking for the durable backend refuses to adopt the running memory server.
      const h2View = await privateStack(stateDir, {
        mongoBackend: 'h2',
        kafkaBrokers: kafkaBrokers().join(','),
        mongoPort: Number(stack.dbUrl.split(':').at(-1)),
      });
      await expect(h2View.up()).rejects.toThrow('already running');
      await expect(h2View.up()).rejects.toThrow('with the memory backend, not h2');

      expect(await stack.down()).toEqual(['mongo']);
      expect((await stack.up()).started).toEqual(['mongo']);
      const after = await withClient(stack.dbUrl, (client) => client.db('memory_backend').collection('things').countDocuments());
      expect(after).toBe(0);
    },
  );
});

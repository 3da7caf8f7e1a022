import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient, MongoServerError } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultStackOptions } from '../../infra/local/lib/config.js';
import type { LocalStack } from '../../infra/local/lib/LocalStack.js';
import { eventually } from '../../tools/lib/eventually.js';
import { kafkaBrokers } from '../support/infra.js';
import { privateStack } from '../support/privateStack.js';

const LEGACY_SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'LegacyH2Server.java');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function withClient<T>(url: string, use: (client: MongoClient) => Promise<T>): Promise<T> {
  const client = new MongoClient(url, { directConnection: true, serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

/** mongo-java-server's unchanged H2 backend (the launcher's storage before BSON) on `file`, until `use` returns. */
async function withLegacyServer(file: string, use: (url: string) => Promise<void>): Promise<void> {
  const mongoJars = readdirSync(path.join(defaultStackOptions().cacheDir, 'jars')).find((name) => name.startsWith('mongo-'));
  if (!mongoJars) throw new Error('the stack has not fetched the mongo jars');
  const port = await freePort();
  const cp = `${path.join(defaultStackOptions().cacheDir, 'jars', mongoJars)}/*`;
  const child = spawn('java', ['-cp', cp, LEGACY_SERVER, '127.0.0.1', String(port), file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    await eventually(
      () => output,
      (text) => text.includes('listening') || child.exitCode !== null,
      'the legacy server to listen',
      60_000,
    );
    if (!output.includes('listening')) throw new Error(`the legacy server did not start: ${output}`);
    await use(`mongodb://127.0.0.1:${port}`);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/**
 * The launcher keeps documents as BSON (issue 10, step 5: Java serialization was most of the
 * server's CPU). A data file written the old way — by mongo-java-server's own H2 backend — is
 * migrated once at start, with nothing lost and the unique indexes still unique.
 */
describe('local database storage format', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'stack-format-'));
  const dataFile = path.join(stateDir, 'data', 'mongo', 'db.mv');
  let stack: LocalStack | undefined;

  afterAll(async () => {
    await stack?.down();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it(
    'migrates a data file written by the unchanged H2 backend once, keeping every document and unique index',
    { timeout: 240_000 },
    async () => {
      stack = await privateStack(stateDir, { mongoBackend: 'h2', kafkaBrokers: kafkaBrokers().join(',') });
      await stack.up(); // fetches the jars and compiles the launcher
      await stack.down();
      rmSync(dataFile, { force: true });

      const orders = Array.from({ length: 500 }, (_, i) => ({
        _id: `order-${i}`,
        status: i % 2 === 0 ? 'PENDING' : 'CONFIRMED',
        items: [{ productId: `p${i % 7}`, quantity: i, price: 1.5 }],
        createdAt: new Date(1_700_000_000_000 + i),
        outbox: i % 3 === 0 ? [{ eventId: `e${i}`, value: 'x'.repeat(100) }] : [],
      }));
      await withLegacyServer(dataFile, (url) =>
        withClient(url, async (client) => {
          const db = client.db('format_test');
          await db.collection<{ _id: string }>('orders').insertMany(orders);
          await db.collection('products').createIndex({ productId: 1 }, { unique: true });
          await db.collection('products').insertMany([
            { productId: 'p1', available: 5 },
            { productId: 'p2', available: 0 },
          ]);
        }),
      );

      await stack.up();
      const log = readFileSync(path.join(stateDir, 'logs', 'mongo.log'), 'utf8');
      // 502 documents plus the index definitions mongo-java-server keeps as documents.
      expect(Number(/migrated (\d+) documents in .*db\.mv to BSON storage/.exec(log)?.[1])).toBeGreaterThanOrEqual(502);
      expect(existsSync(`${dataFile}.java-serialization.bak`)).toBe(true);

      await withClient(stack.dbUrl, async (client) => {
        const db = client.db('format_test');
        const stored = await db.collection<{ _id: string }>('orders').find({}).sort({ _id: 1 }).toArray();
        expect(stored).toEqual([...orders].sort((a, b) => (a._id < b._id ? -1 : 1)));
        expect(await db.collection('orders').countDocuments({ status: 'PENDING' })).toBe(250);
        // The unique indexes survived the copy: a second document with a taken key is refused.
        await expect(
          db.collection<{ _id: string; status: string }>('orders').insertOne({ _id: 'order-7', status: 'PENDING' }),
        ).rejects.toThrow(MongoServerError);
        await expect(db.collection('products').insertOne({ productId: 'p1', available: 1 })).rejects.toThrow(/duplicate key/);
        await db.collection('products').insertOne({ productId: 'p3', available: 3 });
        const updated = await db.collection('products').updateOne({ productId: 'p1', available: 5 }, { $inc: { available: -1 } });
        expect(updated.modifiedCount).toBe(1);
      });

      // A second start finds the new format: no migration, and what was written since is there.
      await stack.down();
      await stack.up();
      const logs = readFileSync(path.join(stateDir, 'logs', 'mongo.log'), 'utf8');
      expect(logs.match(/migrated \d+ documents/g)).toHaveLength(1);
      await withClient(stack.dbUrl, async (client) => {
        const products = await client
          .db('format_test')
          .collection('products')
          .find({}, { projection: { _id: 0 } })
          .sort({ productId: 1 })
          .toArray();
        expect(products).toEqual([
          { productId: 'p1', available: 4 },
          { productId: 'p2', available: 0 },
          { productId: 'p3', available: 3 },
        ]);
        expect(await client.db('format_test').collection('orders').countDocuments()).toBe(500);
      });
    },
  );
});

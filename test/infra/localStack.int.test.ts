import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalStack } from '../../infra/local/lib/LocalStack.js';
import { isPortTaken } from '../../infra/local/lib/processes.js';
import { privateStack } from '../support/privateStack.js';

describe('local stack lifecycle', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'stack-test-'));
  let stack: LocalStack | undefined;

  afterAll(async () => {
    await stack?.down();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('keeps database documents and Kafka messages across down and up, and up is a no-op while running', { timeout: 240_000 }, async () => {
    stack = await privateStack(stateDir);
    const first = await stack.up();
    expect(first.started.sort()).toEqual(['kafka', 'mongo']);
    expect(stack.status().find((row) => row.name === 'mongo')).toMatchObject({ state: 'running', backend: 'h2' });

    // Write one document and one message.
    const mongo = new MongoClient(stack.dbUrl, { directConnection: true });
    await mongo.connect();
    await mongo.db('lifecycle').collection('things').insertOne({ name: 'kept', n: 42 });
    await mongo.close();
    const kafka = new Kafka({ clientId: 'lifecycle', brokers: [stack.kafkaBrokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kept-topic', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'kept-topic', acks: -1, messages: [{ key: 'k', value: 'survives restarts' }] });
    await producer.disconnect();

    expect((await stack.up()).started).toEqual([]);

    // Restart.
    expect((await stack.down()).sort()).toEqual(['kafka', 'mongo']);
    expect(stack.status().map((s) => s.state)).toEqual(['stopped', 'stopped']);
    expect(await isPortTaken(Number(stack.kafkaBrokers.split(':')[1]))).toBe(false);
    expect((await stack.up()).started.sort()).toEqual(['kafka', 'mongo']);

    // Both are still there.
    const mongoAgain = new MongoClient(stack.dbUrl, { directConnection: true });
    await mongoAgain.connect();
    expect(await mongoAgain.db('lifecycle').collection('things').findOne({ name: 'kept' })).toMatchObject({ n: 42 });
    await mongoAgain.close();
    const consumer = kafka.consumer({ groupId: 'lifecycle-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'kept-topic', fromBeginning: true });
    const value = await new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) });
    });
    await consumer.disconnect();
    expect(value).toBe('survives restarts');
  });

  it('refuses to start on a port that another process holds, and says which', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    const blocked = await privateStack(mkdtempSync(path.join(tmpdir(), 'stack-blocked-')), { mongoPort: port });
    try {
      await expect(blocked.up()).rejects.toThrow(`port 127.0.0.1:${port} is already in use by another process`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

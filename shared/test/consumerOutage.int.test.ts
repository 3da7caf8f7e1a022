import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection, Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/lib/LocalStack.js';
import { kafkaBrokers, testKafka, uniqueName } from '../../test/support/infra.js';
import { privateStack } from '../../test/support/privateStack.js';
import { serializeEvent } from '../src/contracts/codec.js';
import { eventHeaders } from '../src/contracts/headers.js';
import { dltTopicOf } from '../src/contracts/topics.js';
import { createIdempotentProducer } from '../src/kafka/createKafka.js';
import { DeadLetterPublisher } from '../src/kafka/DeadLetterPublisher.js';
import { readTopicToEnd } from '../src/kafka/dltReplay.js';
import { MongoProcessedEventStore } from '../src/persistence/MongoProcessedEventStore.js';
import { ReliableConsumer } from '../src/kafka/ReliableConsumer.js';
import { provisionTopics } from '../src/kafka/TopicProvisioner.js';
import { connectDatabase, initModels } from '../src/persistence/connectDatabase.js';
import { buildOrderPlaced, silentLogger, testOrderModel, type TestOrder } from './support/testOrders.js';
import { until } from '../../tools/lib/eventually.js';

const SESSION_TIMEOUT_MS = 10_000;

/**
 * SPEC §5: consumers never block past the session timeout, and an outage is not the message's fault.
 * Before, a handler against a hung database waited on the driver (no heartbeat: the member was
 * thrown out of the group), and once it failed, each event used up its attempts within seconds
 * and went to the DLT although nothing was wrong with it.
 */
describe('reliable consumer while its database hangs for longer than the session timeout', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'consumer-outage-'));
  const kafka = testKafka();
  const producer = createIdempotentProducer(kafka);
  let stack: LocalStack;
  let connection: Connection;
  let Orders: Model<TestOrder>;
  let consumer: ReliableConsumer;

  beforeAll(async () => {
    stack = await privateStack(stateDir, { kafkaBrokers: kafkaBrokers().join(',') });
    await stack.up();
    connection = connectDatabase(`${stack.dbUrl}/consumer-outage`, silentLogger(), { operationTimeoutMs: 2_000 });
    Orders = testOrderModel(connection);
    await initModels(connection, [Orders, new MongoProcessedEventStore(connection).model]);
    await producer.connect();
  }, 180_000);
  afterAll(async () => {
    await consumer?.stop();
    await producer.disconnect();
    await connection.close();
    await stack.down();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('pauses and catches up: every event applied, nothing dead-lettered, no extra group join', async () => {
    const topic = uniqueName('outage-orders');
    await provisionTopics(kafka, [{ topic, numPartitions: 3, withDlt: true }], silentLogger());
    consumer = new ReliableConsumer({
      kafka,
      groupId: uniqueName('outage-group'),
      topics: [topic],
      logger: silentLogger(),
      deadLetters: new DeadLetterPublisher(producer),
      processedEvents: new MongoProcessedEventStore(connection),
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      retry: { baseDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 3 },
    }).on('OrderPlaced', async (event) => {
      // Idempotent, as every service's handler is: a write that timed out while the database hung may
      // still be applied once it resumes, and the retry then meets it (a counting $inc showed 2 in a run).
      await Orders.updateOne({ _id: event.data.orderId }, { $max: { applied: 1 }, $setOnInsert: { status: 'PENDING' } }, { upsert: true });
    });
    await consumer.start();
    const send = async (n: number): Promise<string[]> => {
      const events = Array.from({ length: n }, () => buildOrderPlaced());
      await producer.send({
        topic,
        acks: -1,
        messages: events.map((e) => ({
          key: e.data.orderId,
          value: serializeEvent(e),
          headers: eventHeaders(e, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
        })),
      });
      return events.map((e) => e.data.orderId);
    };
    const before = await send(5);
    await until(async () => (await Orders.countDocuments({})) === 5, 'first events applied', 20_000);
    const joinsBefore = consumer.groupJoins;

    const mongoPid = stack.status().find((c) => c.name === 'mongo')!.pid!;
    process.kill(mongoPid, 'SIGSTOP');
    let during: string[];
    try {
      during = await send(20);
      await new Promise((r) => setTimeout(r, SESSION_TIMEOUT_MS + 5_000));
    } finally {
      process.kill(mongoPid, 'SIGCONT');
    }

    await until(async () => (await Orders.countDocuments({})) === 25, 'events during the outage applied', 40_000);
    const docs = await Orders.find({}).lean();
    expect(docs.map((d) => d._id).sort()).toEqual([...before, ...during].sort());
    expect(docs.every((d) => d.applied === 1)).toBe(true);
    expect(await readTopicToEnd(kafka, dltTopicOf(topic))).toEqual([]);
    expect(consumer.groupJoins).toBe(joinsBefore);
  }, 120_000);
});

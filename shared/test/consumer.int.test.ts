import { randomUUID } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dbUrlFor, kafkaBrokers, testKafka, uniqueName } from '../../test/support/infra.js';
import { createEvent, serializeEvent, type DomainEvent } from '../src/contracts/codec.js';
import { eventHeaders } from '../src/contracts/headers.js';
import { dltTopicOf } from '../src/contracts/topics.js';
import { PermanentError } from '../src/errors/PermanentError.js';
import { createIdempotentProducer } from '../src/kafka/createKafka.js';
import { DeadLetterPublisher, DLT_HEADERS } from '../src/kafka/DeadLetterPublisher.js';
import { readDeadLetters, replayDeadLetters } from '../src/kafka/dltReplay.js';
import { MongoProcessedEventStore } from '../src/persistence/MongoProcessedEventStore.js';
import { ReliableConsumer } from '../src/kafka/ReliableConsumer.js';
import { provisionTopics } from '../src/kafka/TopicProvisioner.js';
import { initModels } from '../src/persistence/connectDatabase.js';
import { buildOrderPlaced, connect, silentLogger, testOrderModel, type TestOrder } from './support/testOrders.js';
import { holdsSteady, until } from '../../tools/lib/eventually.js';

describe('reliable consumer against the real broker and database', () => {
  const kafka = testKafka();
  const producer = createIdempotentProducer(kafka);
  let connection: Connection;
  let Orders: Model<TestOrder>;
  let consumer: ReliableConsumer | undefined;

  beforeAll(async () => {
    connection = await connect(dbUrlFor(uniqueName('consumer')));
    Orders = testOrderModel(connection);
    await producer.connect();
  });
  afterEach(async () => {
    await consumer?.stop();
    consumer = undefined;
  });
  afterAll(async () => {
    await producer.disconnect();
    await connection.dropDatabase();
    await connection.close();
  });

  /** A fresh topic (+DLT) and a consumer whose OrderPlaced handler counts applications on the order document. */
  async function startConsumer(handler?: (event: DomainEvent<'OrderPlaced'>) => Promise<void>) {
    const topic = uniqueName('consumer-orders');
    await provisionTopics(kafka, [{ topic, numPartitions: 3, withDlt: true }], silentLogger());
    const processedEvents = new MongoProcessedEventStore(connection);
    await initModels(connection, [Orders, processedEvents.model]);
    consumer = new ReliableConsumer({
      kafka,
      groupId: uniqueName('group'),
      topics: [topic],
      logger: silentLogger(),
      deadLetters: new DeadLetterPublisher(producer),
      processedEvents,
      retry: { baseDelayMs: 100, maxDelayMs: 400, maxAttempts: 5 },
    }).on('OrderPlaced', async (event) => {
      await handler?.(event);
      await Orders.updateOne({ _id: event.data.orderId }, { $inc: { applied: 1 }, $setOnInsert: { status: 'PENDING' } }, { upsert: true });
    });
    await consumer.start();
    return topic;
  }

  const publish = (topic: string, event: DomainEvent | { key: string; value: string; headers?: Record<string, string> }) =>
    'eventId' in event
      ? producer.send({
          topic,
          acks: -1,
          messages: [
            {
              key: (event.data as { orderId: string }).orderId,
              value: serializeEvent(event),
              headers: eventHeaders(event, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
            },
          ],
        })
      : producer.send({ topic, acks: -1, messages: [event] });
  const applied = async (orderId: string) => (await Orders.findById(orderId).lean())?.applied ?? 0;

  it('when the same event is delivered three times, changes state once', async () => {
    const topic = await startConsumer();
    const event = buildOrderPlaced();
    const marker = buildOrderPlaced({ orderId: event.data.orderId });

    for (let i = 0; i < 3; i++) await publish(topic, event);
    await publish(topic, marker); // same key, so it is handled after the three copies

    await until(async () => (await applied(event.data.orderId)) >= 2, 'marker handled', 20_000);
    expect(await applied(event.data.orderId)).toBe(2); // the event once + the marker once
  });

  it('when a payload is invalid, parks it in the DLT with the failure headers and goes on with the partition', async () => {
    const topic = await startConsumer();
    const orderId = randomUUID();
    const poison = buildOrderPlaced({ orderId });
    const invalid = { ...poison, data: { ...poison.data, items: [{ productId: 'p-1', quantity: -3, price: 1 }] } };
    const next = buildOrderPlaced({ orderId });

    await publish(topic, { key: orderId, value: JSON.stringify(invalid), headers: { eventType: 'OrderPlaced', eventId: poison.eventId } });
    await publish(topic, { key: orderId, value: '{not json' });
    await publish(topic, next);

    await until(async () => (await applied(orderId)) === 1, 'valid follower handled', 20_000);
    const dead = await readDeadLetters(kafka, dltTopicOf(topic));
    expect(dead).toHaveLength(2);
    const [first, second] = dead.sort((a, b) => Number(a.offset) - Number(b.offset));
    expect(first).toMatchObject({
      key: orderId,
      eventType: 'OrderPlaced',
      eventId: poison.eventId,
      errorClass: 'InvalidEventError',
      attempts: 1,
      originalTopic: topic,
    });
    expect(first!.errorMessage).toContain('items.0.quantity');
    expect(first!.headers[DLT_HEADERS.originalPartition]).toMatch(/^\d+$/);
    expect(first!.headers[DLT_HEADERS.originalOffset]).toMatch(/^\d+$/);
    expect(Date.parse(first!.headers[DLT_HEADERS.failedAt]!)).not.toBeNaN();
    expect(second).toMatchObject({ key: orderId, errorClass: 'InvalidEventError' });
    expect(second!.value!.toString()).toBe('{not json');
  });

  it('when a handler fails permanently, the event goes to the DLT; once fixed, a replay re-publishes it and it is processed', async () => {
    let fixed = false;
    const topic = await startConsumer(async () => {
      if (!fixed) throw new PermanentError('product catalogue not loaded');
    });
    const event = buildOrderPlaced();
    await publish(topic, event);
    await until(async () => (await readDeadLetters(kafka, dltTopicOf(topic))).length === 1, 'dead letter', 20_000);
    expect(await applied(event.data.orderId)).toBe(0);

    fixed = true;
    const records = await readDeadLetters(kafka, dltTopicOf(topic));
    const dryRun = await replayDeadLetters(producer, records, { eventType: 'OrderPlaced' }, true);
    expect(dryRun.map((r) => r.eventId)).toEqual([event.eventId]);
    expect(await applied(event.data.orderId)).toBe(0); // a dry run publishes nothing
    const replayed = await replayDeadLetters(producer, records, { eventId: event.eventId }, false);

    expect(replayed).toHaveLength(1);
    await until(async () => (await applied(event.data.orderId)) === 1, 'replayed event handled', 20_000);
  });

  it('when a handler fails transiently three times then succeeds, handles the event once with no rebalance', async () => {
    const failuresByEvent = new Map<string, number>();
    const topic = await startConsumer(async (event) => {
      const failures = failuresByEvent.get(event.eventId) ?? 0;
      if (failures < 3) {
        failuresByEvent.set(event.eventId, failures + 1);
        throw new Error('database briefly unavailable');
      }
    });
    // The first join can be followed by a second one while the new topic's metadata settles (a loaded
    // CI run counted it against the retries): count from a group quiet for 2 s.
    const joinsBefore = await holdsSteady(() => consumer!.groupJoins, 'group joins', { forMs: 2_000 });
    const event = buildOrderPlaced();

    await publish(topic, event);

    await until(async () => (await applied(event.data.orderId)) === 1, 'handled after retries', 20_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(await applied(event.data.orderId)).toBe(1);
    expect(failuresByEvent.get(event.eventId)).toBe(3);
    expect(consumer!.groupJoins).toBe(joinsBefore);
    expect(await readDeadLetters(kafka, dltTopicOf(topic))).toEqual([]);
  });

  it('skips an unknown event type (forward compatibility) and handles the next one', async () => {
    const topic = await startConsumer();
    const orderId = randomUUID();
    const future = { ...createEvent('OrderDelivered', { orderId, customerId: 'c' }, { source: 'test' }), eventType: 'OrderGiftWrapped' };

    await publish(topic, { key: orderId, value: JSON.stringify(future) });
    await publish(topic, buildOrderPlaced({ orderId }));

    await until(async () => (await applied(orderId)) === 1, 'next event handled', 20_000);
    expect(await readDeadLetters(kafka, dltTopicOf(topic))).toEqual([]);
  });

  it('hands a v1 OrderPlaced from an old producer to the handler in the latest shape', async () => {
    const seen: DomainEvent<'OrderPlaced'>[] = [];
    const topic = await startConsumer(async (event) => {
      seen.push(event);
    });
    const orderId = randomUUID();
    const v1 = createEvent(
      'OrderPlaced',
      { orderId, customerId: 'c-1', items: [{ productId: 'p', quantity: 1, price: 1.5 }], totalAmount: 1.5 } as never,
      { source: 'old', version: 1 },
    );

    await publish(topic, v1);

    await until(async () => (await applied(orderId)) === 1, 'v1 event handled', 20_000);
    expect(seen[0]).toMatchObject({ version: 1, data: { orderId, currency: 'USD', totalAmount: 1.5 } });
  });

  it('the DLT command lists what is parked and replays it by filter', async () => {
    let fixed = false;
    const topic = await startConsumer(async () => {
      if (!fixed) throw new PermanentError('tax service says no');
    });
    const event = buildOrderPlaced();
    await publish(topic, event);
    await until(async () => (await readDeadLetters(kafka, dltTopicOf(topic))).length === 1, 'dead letter', 20_000);

    const listed = await dltCommand(['list', '--topic', topic]);
    expect(listed).toContain(`${topic}.DLT: 1 message(s) (PermanentError: 1)`);
    expect(listed).toContain(event.eventId);
    expect(await dltCommand(['replay', '--topic', topic, '--event-id', event.eventId, '--dry-run'])).toContain('Would replay 1 of 1');
    fixed = true;
    expect(await dltCommand(['replay', '--topic', topic, '--event-type', 'OrderPlaced'])).toContain('Replayed 1 of 1');
    await until(async () => (await applied(event.data.orderId)) === 1, 'replayed event handled', 20_000);
  });

  it('a poison two groups refused: replay --group A is handled by A once and B never sees it again; a dry run without --group names B', async () => {
    const topic = uniqueName('consumer-orders');
    await provisionTopics(kafka, [{ topic, numPartitions: 3, withDlt: true }], silentLogger());
    await initModels(connection, [Orders, new MongoProcessedEventStore(connection).model]);
    const [groupA, groupB] = [uniqueName('group-a'), uniqueName('group-b')];
    const poison = buildOrderPlaced();
    let fixedForA = false;
    const seen = { [groupA]: [] as string[], [groupB]: [] as string[] };
    const handled = { [groupA]: [] as string[], [groupB]: [] as string[] };
    const consumers = [groupA, groupB].map((groupId) =>
      new ReliableConsumer({
        kafka,
        groupId,
        topics: [topic],
        logger: silentLogger(),
        deadLetters: new DeadLetterPublisher(producer),
        processedEvents: new MongoProcessedEventStore(connection),
        retry: { baseDelayMs: 100, maxDelayMs: 400, maxAttempts: 5 },
      }).on('OrderPlaced', async (event) => {
        seen[groupId]!.push(event.eventId);
        const refuses = event.eventId === poison.eventId && (groupId === groupB || !fixedForA);
        if (refuses) throw new PermanentError(`${groupId} cannot handle this order`);
        handled[groupId]!.push(event.eventId);
      }),
    );
    try {
      await Promise.all(consumers.map((c) => c.start()));
      await publish(topic, poison);
      const dlt = dltTopicOf(topic);
      await until(async () => (await readDeadLetters(kafka, dlt)).length === 2, 'both groups dead-lettered the poison', 30_000);
      expect((await readDeadLetters(kafka, dlt)).map((r) => r.headers[DLT_HEADERS.consumerGroup]).sort()).toEqual([groupA, groupB].sort());

      const dryRun = await dltCommand(['replay', '--topic', topic, '--event-id', poison.eventId, '--dry-run']);
      expect(dryRun).toContain('Would replay 2 of 2');
      expect(dryRun).toMatch(new RegExp(`refused by ${groupA} .*\\n\\s+would also reach: ${groupB} \\(refused it too\\)`));
      expect(dryRun).toMatch(new RegExp(`refused by ${groupB} .*\\n\\s+would also reach: ${groupA} \\(refused it too\\)`));
      expect(await dltCommand(['replay', '--topic', topic, '--group', groupA, '--dry-run'])).toContain(
        `Would replay 1 of 2 message(s) from ${dlt} for group ${groupA}`,
      );

      fixedForA = true;
      expect(await dltCommand(['replay', '--topic', topic, '--group', groupA])).toContain(
        `Replayed 1 of 2 message(s) from ${dlt} for group ${groupA}`,
      );
      const marker = buildOrderPlaced({ orderId: poison.data.orderId }); // same key: each group meets it after the replayed copy
      await publish(topic, marker);
      await until(
        async () => handled[groupA]!.includes(marker.eventId) && handled[groupB]!.includes(marker.eventId),
        'both groups past the replay',
        30_000,
      );

      expect(handled[groupA]!.filter((id) => id === poison.eventId)).toHaveLength(1);
      expect(seen[groupB]!.filter((id) => id === poison.eventId)).toHaveLength(1); // only the original delivery
      expect((await readDeadLetters(kafka, dlt)).map((r) => r.headers[DLT_HEADERS.consumerGroup]).sort()).toEqual([groupA, groupB].sort()); // nothing dead-lettered again
    } finally {
      await Promise.all(consumers.map((c) => c.stop()));
    }
  });
});

async function dltCommand(args: string[]): Promise<string> {
  const { execFile } = await import('node:child_process');
  const cli = new URL('../src/cli/dlt.ts', import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', cli, ...args, '--brokers', kafkaBrokers().join(',')], (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

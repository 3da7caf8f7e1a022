import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Schema, type Connection, type Model } from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dbUrlFor, testKafka, uniqueName } from '../../test/support/infra.js';
import { createEvent, serializeEvent, type DomainEvent } from '../src/contracts/codec.js';
import { eventHeaders } from '../src/contracts/headers.js';
import { dltTopicOf } from '../src/contracts/topics.js';
import { PermanentError } from '../src/errors/PermanentError.js';
import { createIdempotentProducer } from '../src/kafka/createKafka.js';
import { DeadLetterPublisher } from '../src/kafka/DeadLetterPublisher.js';
import { readDeadLetters } from '../src/kafka/dltReplay.js';
import type { ProcessedEventStore } from '../src/kafka/ProcessedEventStore.js';
import { applyWaveConcurrently } from '../src/kafka/applyWaveConcurrently.js';
import { ReliableConsumer, type WaveHandler } from '../src/kafka/ReliableConsumer.js';
import { provisionTopics } from '../src/kafka/TopicProvisioner.js';
import { initModels } from '../src/persistence/connectDatabase.js';
import { duplicateKeyIndexes, trusted } from '../src/persistence/mongo.js';
import { MongoProcessedEventStore } from '../src/persistence/MongoProcessedEventStore.js';
import { until } from '../../tools/lib/eventually.js';
import { connect, silentLogger } from './support/testOrders.js';

/** Per order, the eventIds applied to it in the order they were applied ($push shows any loss, doubling or reordering). */
interface Applied {
  _id: string;
  seq: string[];
}
/** One document per applied event, inserted in bulk with the event as its _id (the idempotent kind of handler). */
interface EventRecord {
  _id: string;
  orderId: string;
  writtenBy: string;
}

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** An OrderPlaced for `orderId`; `tag` travels as the customerId, so a handler can be told to refuse it. */
const eventFor = (orderId: string, tag = 'ok'): DomainEvent<'OrderPlaced'> =>
  createEvent(
    'OrderPlaced',
    { orderId, customerId: tag, items: [{ productId: 'p-1', quantity: 1, price: 1 }], totalAmount: 1, currency: 'USD' },
    { source: 'test', correlationId: randomUUID() },
  );

describe('reliable consumer: batches applied in per-key waves (real broker and database)', () => {
  const kafka = testKafka();
  const producer = createIdempotentProducer(kafka);
  let connection: Connection;
  let AppliedModel: Model<Applied>;
  let Records: Model<EventRecord>;
  const consumers: ReliableConsumer[] = [];

  beforeAll(async () => {
    connection = await connect(dbUrlFor(uniqueName('waves')));
    AppliedModel = connection.model<Applied>('WaveApplied', new Schema<Applied>({ _id: String, seq: [String] }, { versionKey: false }));
    Records = connection.model<EventRecord>(
      'WaveRecord',
      new Schema<EventRecord>({ _id: String, orderId: String, writtenBy: String }, { versionKey: false }),
    );
    await initModels(connection, [AppliedModel, Records, new MongoProcessedEventStore(connection).model]);
    await producer.connect();
  });
  afterEach(async () => {
    for (const consumer of consumers.splice(0)) await consumer.stop();
  });
  afterAll(async () => {
    await producer.disconnect();
    await connection.dropDatabase();
    await connection.close();
  });

  /** A one-partition topic holding `messages` (one send, so the consumer fetches them as one batch). */
  async function topicWith(messages: Array<DomainEvent<'OrderPlaced'> | { key: string; value: string }>): Promise<string> {
    const topic = uniqueName('waves');
    await provisionTopics(kafka, [{ topic, numPartitions: 1, withDlt: true }], silentLogger());
    await producer.send({
      topic,
      acks: -1,
      messages: messages.map((m) =>
        'eventId' in m ? { key: m.data.orderId, value: serializeEvent(m), headers: eventHeaders(m, TRACEPARENT) } : m,
      ),
    });
    return topic;
  }

  async function startConsumer(
    topic: string,
    handler: WaveHandler<'OrderPlaced'>,
    options: { groupId?: string; processedEvents?: ProcessedEventStore; baseDelayMs?: number; sessionTimeoutMs?: number } = {},
  ): Promise<ReliableConsumer> {
    const consumer = new ReliableConsumer({
      kafka,
      groupId: options.groupId ?? uniqueName('group'),
      topics: [topic],
      logger: silentLogger(),
      deadLetters: new DeadLetterPublisher(producer),
      processedEvents: options.processedEvents ?? new MongoProcessedEventStore(connection),
      retry: { baseDelayMs: options.baseDelayMs ?? 100, maxDelayMs: Math.max(400, options.baseDelayMs ?? 0), maxAttempts: 5 },
      ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
    }).onBatch(['OrderPlaced'], handler);
    consumers.push(consumer);
    await consumer.start();
    return consumer;
  }

  /** The handler's bulk write: one $push per event, all in one bulkWrite. */
  const pushAll = async (wave: ReadonlyArray<{ event: DomainEvent<'OrderPlaced'> }>): Promise<void> => {
    if (wave.length === 0) return;
    await AppliedModel.bulkWrite(
      wave.map(({ event }) => ({
        updateOne: { filter: { _id: event.data.orderId }, update: { $push: { seq: event.eventId } }, upsert: true },
      })),
    );
  };
  const seqOf = async (orderId: string) => (await AppliedModel.findById(orderId).lean())?.seq ?? [];
  const ids = (events: Array<DomainEvent<'OrderPlaced'>>) => events.map((e) => e.eventId);

  it('several events of each order in one batch: each order’s events applied once, in order, several orders per handler call', async () => {
    const orders = [randomUUID(), randomUUID(), randomUUID()];
    const events = Array.from({ length: 4 }, () => orders.map((orderId) => eventFor(orderId))).flat(); // interleaved
    const topic = await topicWith(events);
    const calls: number[] = [];

    await startConsumer(topic, async (wave) => {
      calls.push(wave.length);
      await pushAll(wave);
    });

    await until(async () => (await seqOf(orders[2]!)).length === 4, 'all applied', 20_000);
    for (const orderId of orders) expect(await seqOf(orderId)).toEqual(ids(events.filter((e) => e.data.orderId === orderId)));
    expect(calls.reduce((a, b) => a + b, 0)).toBe(12);
    expect(Math.max(...calls)).toBeGreaterThan(1); // a wave carries several orders
    expect(Math.max(...calls)).toBeLessThanOrEqual(3); // … but never two events of one order
  });

  it('a wave that takes longer than the session timeout keeps its membership: no rejoin, every event applied once', async () => {
    // The backlog after an outage: one wave of many orders, each slow (a 100-line reservation). Without
    // heartbeats inside the wave the broker drops the member mid-wave, the commit fails and the wave is redone.
    const events = Array.from({ length: 9 }, () => eventFor(randomUUID()));
    const topic = await topicWith(events);
    const waves: number[] = [];
    const consumer = await startConsumer(
      topic,
      async (wave) => {
        waves.push(wave.length);
        return applyWaveConcurrently(
          wave,
          async (event) => {
            await sleep(1_000);
            await pushAll([{ event }]);
          },
          1,
        );
      },
      { sessionTimeoutMs: 6_000 }, // the broker's smallest (group.min.session.timeout.ms); the wave takes 9 s
    );

    await until(
      async () => (await Promise.all(events.map((e) => seqOf(e.data.orderId)))).every((s) => s.length === 1),
      'all applied',
      30_000,
    );
    await sleep(4_000); // a dropped member would notice at its next heartbeat or commit, and rejoin
    expect(consumer.groupJoins).toBe(1);
    expect(waves).toEqual([9]);
    for (const e of events) expect(await seqOf(e.data.orderId)).toEqual([e.eventId]);
  }, 60_000);

  it('duplicates inside one batch are applied once', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const e1 = eventFor(a);
    const e2 = eventFor(b);
    const marker = eventFor(a);
    const topic = await topicWith([e1, e2, e1, e1, e2, marker]);

    await startConsumer(topic, pushAll);

    await until(async () => (await seqOf(a)).length >= 2, 'marker applied', 20_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(await seqOf(a)).toEqual([e1.eventId, marker.eventId]);
    expect(await seqOf(b)).toEqual([e2.eventId]);
  });

  it('a poisoned message among valid ones goes to the DLT; every other event of the batch is applied exactly once', async () => {
    const [a, b, c, d] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const a1 = eventFor(a);
    const thrown = eventFor(b, 'poison'); // the handler throws for the whole call when it sees it
    const refused = eventFor(c, 'refuse'); // the handler reports it as failed, applies the rest
    const [a2, b2, c2, d2] = [eventFor(a), eventFor(b), eventFor(c), eventFor(d)];
    const topic = await topicWith([a1, thrown, refused, { key: d, value: '{not json' }, a2, b2, c2, d2]);

    await startConsumer(topic, async (wave) => {
      if (wave.some(({ event }) => event.data.customerId === 'poison')) throw new PermanentError('poisoned order');
      const refusedAt = wave.map(({ event }) => (event.data.customerId === 'refuse' ? new PermanentError('refused order') : undefined));
      await pushAll(wave.filter((_, i) => refusedAt[i] === undefined));
      return refusedAt;
    });

    await until(async () => (await seqOf(d)).length === 1 && (await seqOf(c)).length === 1, 'followers applied', 20_000);
    await until(async () => (await readDeadLetters(kafka, dltTopicOf(topic))).length === 3, 'dead letters', 20_000);
    expect(await seqOf(a)).toEqual([a1.eventId, a2.eventId]);
    expect(await seqOf(b)).toEqual([b2.eventId]);
    expect(await seqOf(c)).toEqual([c2.eventId]);
    expect(await seqOf(d)).toEqual([d2.eventId]);
    const dead = await readDeadLetters(kafka, dltTopicOf(topic));
    expect(dead.map((m) => [m.key, m.errorClass]).sort()).toEqual(
      [
        [b, 'PermanentError'],
        [c, 'PermanentError'],
        [d, 'InvalidEventError'],
      ].sort(),
    );
    expect(dead.find((m) => m.key === b)!.eventId).toBe(thrown.eventId);
  });

  it('a transient failure of one event holds back only its order; it applies after the retry, and nothing after it is lost or doubled', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const [a1, b1, a2, b2, a3, b3] = [eventFor(a), eventFor(b), eventFor(a, 'flaky'), eventFor(b), eventFor(a), eventFor(b)];
    const topic = await topicWith([a1, b1, a2, b2, a3, b3]);
    let failures = 0;

    await startConsumer(topic, async (wave) => {
      const errors = wave.map(({ event }) => {
        if (event.data.customerId !== 'flaky' || failures >= 2) return undefined;
        failures += 1;
        return new Error('a dependency hiccup');
      });
      await pushAll(wave.filter((_, i) => errors[i] === undefined));
      return errors;
    });

    await until(async () => (await seqOf(a)).length === 3, 'the flaky order caught up', 20_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(failures).toBe(2);
    expect(await seqOf(a)).toEqual(ids([a1, a2, a3]));
    expect(await seqOf(b)).toEqual(ids([b1, b2, b3]));
  });

  it('a crash between the bulk write and the offset commit: the redelivery leaves the same records', async () => {
    const orders = [randomUUID(), randomUUID(), randomUUID()];
    const events = [...orders.map((o) => eventFor(o)), ...orders.map((o) => eventFor(o))];
    const topic = await topicWith(events);
    const groupId = uniqueName('group');
    /** Idempotent bulk insert, like the notification records: an earlier delivery's documents win. */
    const insertRecords = (writtenBy: string) => async (wave: ReadonlyArray<{ event: DomainEvent<'OrderPlaced'> }>) => {
      try {
        await Records.insertMany(
          wave.map(({ event }) => ({ _id: event.eventId, orderId: event.data.orderId, writtenBy })),
          { ordered: false },
        );
      } catch (err) {
        if (!duplicateKeyIndexes(err)) throw err;
      }
    };
    // The first member "dies" after its first wave's bulk write: nothing recorded, no offset committed.
    const real = new MongoProcessedEventStore(connection);
    let crashed = false;
    const dying: ProcessedEventStore = {
      has: (g, id) => real.has(g, id),
      processedAmong: (g, eventIds) => real.processedAmong(g, eventIds),
      record: (g, id, type) => real.record(g, id, type),
      recordMany: async () => {
        crashed = true;
        throw new Error('process killed');
      },
    };
    const first = await startConsumer(topic, insertRecords('first'), { groupId, processedEvents: dying, baseDelayMs: 30_000 });
    await until(() => crashed, 'first wave written', 20_000);
    await first.stop();
    consumers.splice(consumers.indexOf(first), 1);
    const written = await Records.find({ _id: trusted({ $in: ids(events) }) }).lean();
    expect(written.map((r) => r.writtenBy)).toEqual(['first', 'first', 'first']);

    await startConsumer(topic, insertRecords('second'), { groupId });

    await until(async () => (await Records.countDocuments({ orderId: trusted({ $in: orders }) })) === 6, 'all records', 20_000);
    await new Promise((r) => setTimeout(r, 500));
    const records = await Records.find({ orderId: trusted({ $in: orders }) }).lean();
    expect(records.map((r) => r._id).sort()).toEqual(ids(events).sort());
    // The redelivered first wave kept its records; the second member wrote only what was new.
    for (const r of written) expect(records.find((x) => x._id === r._id)!.writtenBy).toBe('first');
    expect(records.filter((r) => r.writtenBy === 'second')).toHaveLength(3);
  });
});

import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection, Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbUrlFor, testKafka, uniqueName } from '../../test/support/infra.js';
import { EVENTS } from '../src/contracts/events.js';
import { TOPICS } from '../src/contracts/topics.js';
import { createIdempotentProducer } from '../src/kafka/createKafka.js';
import { readTopicToEnd } from '../src/kafka/dltReplay.js';
import { provisionTopics } from '../src/kafka/TopicProvisioner.js';
import { Outbox } from '../src/outbox/Outbox.js';
import { OutboxRelay } from '../src/outbox/OutboxRelay.js';
import { buildOrderPlaced, connect, pendingCount, silentLogger, testOrderModel, type TestOrder } from './support/testOrders.js';
import { until } from '../../tools/lib/eventually.js';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'writeThenDie.ts');

function runToDeath(
  dbUrl: string,
  count: number,
  leaseMs: number,
  topic: string,
): Promise<{ signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dbUrl, String(count), String(leaseMs), topic], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (_code, signal) => resolve({ signal, output }));
  });
}

describe('transactional outbox against the real broker and database', () => {
  const kafka = testKafka();
  const topic = uniqueName('outbox-orders');
  const topics = { [TOPICS.orderEvents]: topic };
  let connection: Connection;
  let Orders: Model<TestOrder>;
  const producer = createIdempotentProducer(kafka);
  const relays: OutboxRelay[] = [];

  const newRelay = async (opts: ConstructorParameters<typeof OutboxRelay>[2] = {}): Promise<OutboxRelay> => {
    const relay = new OutboxRelay(producer, process.env.DEBUG_RELAY ? (await import('pino')).default() : silentLogger(), {
      pollIntervalMs: 200,
      ...opts,
    }).register(Orders);
    relays.push(relay);
    return relay;
  };
  const publishedIds = async (): Promise<string[]> =>
    (await readTopicToEnd(kafka, topic)).map(({ message }) => message.headers!.eventId!.toString());

  beforeAll(async () => {
    connection = await connect(dbUrlFor(uniqueName('outbox')));
    Orders = testOrderModel(connection);
    await Orders.init();
    await provisionTopics(kafka, [{ topic, numPartitions: 3 }], silentLogger());
    await producer.connect();
  });
  afterAll(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    await producer.disconnect();
    await connection.dropDatabase();
    await connection.close();
  });

  it('when the writer dies between commit and publish, the events wait in the database and a new relay publishes each exactly once', async () => {
    // Arrange: another process commits 40 orders with their events and is SIGKILLed before publishing.
    const died = await runToDeath(dbUrlOf(connection), 40, 1_000, topic);
    expect(died.signal).toBe('SIGKILL');
    expect(died.output).toContain('committed');
    const committed = await Orders.find({}).lean();
    expect(committed).toHaveLength(40);
    expect(committed.every((o) => o.outbox?.length === 1)).toBe(true);
    expect(await publishedIds()).toEqual([]);

    // Act: two relays (two service instances) recover at the same time once the dead writer's lease runs out.
    const a = await newRelay();
    const b = await newRelay();
    a.start();
    b.start();

    // Assert: every event on the topic once, and nothing left pending.
    const expected = committed.map((o) => o.outbox![0]!.eventId).sort();
    await until(async () => (await pendingCount(Orders)) === 0, 'outbox drained', 20_000);
    await new Promise((r) => setTimeout(r, 1_000)); // a late duplicate publish would land in this window
    expect((await publishedIds()).sort()).toEqual(expected);
  });

  it('a committed write wakes the relay: the event is published with its headers and key without waiting for a poll', async () => {
    const relay = await newRelay({ pollIntervalMs: 60_000 });
    relay.start();
    const outbox = new Outbox(relay, topics);
    const event = buildOrderPlaced({ correlationId: 'corr-outbox-1' });
    const before = (await publishedIds()).length;

    await Orders.create({ _id: event.data.orderId, status: 'PENDING', ...outbox.forCreate([event]) });
    outbox.committed(Orders, event.data.orderId);

    await until(async () => (await publishedIds()).length === before + 1, 'event published', 10_000);
    const published = (await readTopicToEnd(kafka, topic)).find(({ message }) => message.headers!.eventId!.toString() === event.eventId)!;
    expect(published.message.key!.toString()).toBe(event.data.orderId);
    expect(published.message.headers!.eventType!.toString()).toBe('OrderPlaced');
    expect(published.message.headers!.version!.toString()).toBe(String(EVENTS.OrderPlaced.latestVersion));
    expect(published.message.headers!.correlationId!.toString()).toBe('corr-outbox-1');
    expect(published.message.headers!.traceparent!.toString()).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(JSON.parse(published.message.value!.toString())).toEqual(event);
    expect((await Orders.findById(event.data.orderId).lean())?.outbox).toEqual([]);
  });

  describe('a writer that hands its outbox to the relay', () => {
    let watched: Connection;
    let Watched: Model<TestOrder>;
    const finds: string[] = [];
    beforeAll(async () => {
      // The relay's own connection, its commands counted: how often it reads the documents.
      watched = await connect(dbUrlOf(connection), { monitorCommands: true });
      watched.getClient().on('commandStarted', (e) => {
        if (e.commandName === 'find' && e.command.find === 'orders') finds.push(String(e.requestId));
      });
      Watched = testOrderModel(watched);
    });
    afterAll(async () => {
      await watched?.close();
    });

    const publishedOnce = async (eventIds: string[]): Promise<void> => {
      await until(
        async () => {
          const ids = await publishedIds();
          return eventIds.every((id) => ids.includes(id));
        },
        'events published',
        10_000,
      );
      await new Promise((r) => setTimeout(r, 500)); // a late second copy would land in this window
      const ids = await publishedIds();
      expect(eventIds.map((id) => ids.filter((x) => x === id).length)).toEqual(eventIds.map(() => 1));
    };

    it('publishes a new document’s events without reading it; a wake without its outbox reads it', async () => {
      const relay = await newRelay({ pollIntervalMs: 60_000 }); // never started: no recovery poll reads
      relay.register(Watched);
      const outbox = new Outbox(relay, topics);
      const handed = buildOrderPlaced();
      const fields = outbox.forCreate([handed]);
      await Orders.create({ _id: handed.data.orderId, status: 'PENDING', ...fields });
      const before = finds.length;

      outbox.committed(Watched, handed.data.orderId, fields);

      await publishedOnce([handed.eventId]);
      expect(finds.length - before).toBe(0);
      expect((await Orders.findById(handed.data.orderId).lean())?.outbox).toEqual([]);

      const woken = buildOrderPlaced();
      await Orders.create({ _id: woken.data.orderId, status: 'PENDING', ...outbox.forCreate([woken]) });
      outbox.committed(Watched, woken.data.orderId);
      await publishedOnce([woken.eventId]);
      expect(finds.length - before).toBe(1);
    });

    it('an update’s outbox that still lists entries a round has just acknowledged publishes only the new ones', async () => {
      const relay = await newRelay({ pollIntervalMs: 60_000 });
      relay.register(Watched);
      const outbox = new Outbox(relay, topics);
      const first = buildOrderPlaced();
      const orderId = first.data.orderId;
      const fields = outbox.forCreate([first]);
      await Orders.create({ _id: orderId, status: 'PENDING', ...fields });
      outbox.committed(Watched, orderId, fields);
      await publishedOnce([first.eventId]);

      // The update committed just before that round removed `first`: the outbox it returned lists both.
      const second = buildOrderPlaced({ orderId });
      const updated = await Watched.findOneAndUpdate(
        { _id: orderId },
        outbox.withEvents<TestOrder>({ $set: { status: 'NEXT' } }, [second]),
        {
          new: true,
        },
      ).lean();
      outbox.committed(Watched, orderId, { outbox: [...fields.outbox, ...(updated?.outbox ?? [])] });

      await publishedOnce([first.eventId, second.eventId]);
      expect((await Orders.findById(orderId).lean())?.outbox).toEqual([]);
    });

    it('a parked document’s handed-over outbox is not published: it is left to the read, which skips parked documents', async () => {
      const relay = await newRelay({ pollIntervalMs: 60_000 });
      relay.register(Watched);
      const outbox = new Outbox(relay, topics);
      const parked = buildOrderPlaced();
      const fields = { ...outbox.forCreate([parked]), outboxParkedAt: new Date() };
      await Orders.create({ _id: parked.data.orderId, status: 'PENDING', ...fields });
      const before = finds.length;

      outbox.committed(Watched, parked.data.orderId, fields);

      await until(async () => finds.length > before, 'the relay reads the document', 10_000);
      await new Promise((r) => setTimeout(r, 1_000)); // a publish would land in this window
      expect(await publishedIds()).not.toContain(parked.eventId);
      expect((await Orders.findById(parked.data.orderId).lean())?.outbox).toHaveLength(1);
    });
  });
});

function dbUrlOf(connection: Connection): string {
  const { host, port, name } = connection;
  return `mongodb://${host}:${port}/${name}`;
}

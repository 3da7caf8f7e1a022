import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import mongoose, { type Connection, type Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbUrlFor, kafkaBrokers, uniqueName } from '../../test/support/infra.js';
import { createIdempotentProducer } from '../src/kafka/createKafka.js';
import { readTopicToEnd } from '../src/kafka/dltReplay.js';
import { provisionTopics } from '../src/kafka/TopicProvisioner.js';
import { topicMessageLimits } from '../src/kafka/topicMessageLimits.js';
import { metricsRegistry } from '../src/metrics/metrics.js';
import { Outbox } from '../src/outbox/Outbox.js';
import { OutboxRelay } from '../src/outbox/OutboxRelay.js';
import type { OutboxEntry } from '../src/outbox/outboxSchema.js';
import { buildOrderPlaced, connect, silentLogger, testOrderModel, type TestOrder } from './support/testOrders.js';
import { until } from '../../tools/lib/eventually.js';

/** The broker refuses a partition batch over this many bytes on the test topics (like a 1 MB limit, scaled down). */
const TOPIC_LIMIT = 16_384;

/**
 * SPEC §5: one event or one round never blocks the others. Before, a relay round took up to 500
 * documents into one send; once that exceeded the broker's limit the broker refused it (a non-retriable
 * error), the round was retried as it was, forever, and nothing was published again.
 */
describe('outbox relay: no entry and no round blocks the others', () => {
  // Quiet: the refused sends and the deleted topic are meant to make kafkajs log errors.
  const kafka = new Kafka({ clientId: uniqueName('outbox-isolation'), brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  let connection: Connection;
  let Orders: Model<TestOrder>;
  const relays: OutboxRelay[] = [];

  const entry = (topic: string, key: string, bytes: number, n: number): OutboxEntry => ({
    eventId: randomUUID(),
    eventType: 'OrderPlaced',
    topic,
    key,
    value: JSON.stringify({ n, pad: 'x'.repeat(bytes) }),
    headers: { eventId: 'set-below', eventType: 'OrderPlaced' },
    createdAt: new Date(),
  });

  /** `count` orders with two ~1 KB events each, plus one with an event the topic can never take. */
  async function writeBacklog(topic: string, count: number): Promise<{ orderIds: string[]; eventIds: string[]; oversizeId: string }> {
    const docs = Array.from({ length: count }, () => {
      const _id = randomUUID();
      const outbox = [entry(topic, _id, 1_000, 1), entry(topic, _id, 1_000, 2)];
      for (const e of outbox) e.headers.eventId = e.eventId;
      return { _id, status: 'PENDING', outbox, outboxLeaseUntil: null, outboxLeaseOwner: null };
    });
    const oversizeId = randomUUID();
    const big = entry(topic, oversizeId, TOPIC_LIMIT + 8_000, 1);
    big.headers.eventId = big.eventId;
    // Written as if before the topic's limit was lowered: no writer would accept it today.
    await Orders.insertMany([...docs.slice(0, count / 2), { _id: oversizeId, status: 'PENDING', outbox: [big] }, ...docs.slice(count / 2)]);
    return { orderIds: docs.map((d) => d._id), eventIds: docs.flatMap((d) => d.outbox.map((e) => e.eventId)), oversizeId };
  }

  const pendingAmong = (ids: string[]): Promise<number> =>
    Orders.countDocuments({ _id: mongoose.trusted({ $in: ids }), 'outbox.0': mongoose.trusted({ $exists: true }) });

  async function smallTopic(): Promise<string> {
    const topic = uniqueName('outbox-limit');
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 3, configEntries: [{ name: 'max.message.bytes', value: String(TOPIC_LIMIT) }] }],
    });
    return topic;
  }

  const newRelay = (opts: ConstructorParameters<typeof OutboxRelay>[2] = {}): OutboxRelay => {
    const relay = new OutboxRelay(() => createIdempotentProducer(kafka), silentLogger(), { pollIntervalMs: 200, ...opts }).register(Orders);
    relays.push(relay);
    return relay;
  };

  /** Every event published at least once, a document's events in write order, and the topic's order per key. */
  async function expectAllPublishedInOrder(topic: string, backlog: { orderIds: string[]; eventIds: string[] }): Promise<number> {
    const read = await readTopicToEnd(kafka, topic);
    const ids = read.map(({ message }) => message.headers!.eventId!.toString());
    expect(new Set(ids)).toEqual(new Set(backlog.eventIds));
    const firstSeen = new Map<string, number>();
    ids.forEach((id, i) => firstSeen.has(id) || firstSeen.set(id, i));
    const byKey = new Map<string, number[]>();
    for (const { message } of read) {
      const key = message.key!.toString();
      byKey.set(key, [...(byKey.get(key) ?? []), (JSON.parse(message.value!.toString()) as { n: number }).n]);
    }
    for (const key of backlog.orderIds) {
      // The first copy of event 1 comes before the first copy of event 2 (a re-sent copy may follow later).
      expect(byKey.get(key)!.indexOf(1)).toBeLessThan(byKey.get(key)!.indexOf(2));
    }
    return ids.length - new Set(ids).size;
  }

  async function expectParked(oversizeId: string): Promise<void> {
    const parked = await Orders.findById(oversizeId).lean();
    expect(parked?.outboxParkedAt).toBeInstanceOf(Date);
    expect(parked?.outboxParkedReason).toMatch(/MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE/);
    expect(parked?.outbox).toHaveLength(1); // kept, not lost
  }

  async function expectStillFlowing(relay: OutboxRelay, topic: string): Promise<void> {
    const outbox = new Outbox(relay, { 'order-service.order-events': topic });
    const event = buildOrderPlaced();
    await Orders.create({ _id: event.data.orderId, status: 'PENDING', ...outbox.forCreate([event]) });
    outbox.committed(Orders, event.data.orderId);
    await until(
      async () => (await readTopicToEnd(kafka, topic)).some(({ message }) => message.headers!.eventId!.toString() === event.eventId),
      'a new order published',
      15_000,
    );
  }

  beforeAll(async () => {
    await admin.connect();
    connection = await connect(dbUrlFor(uniqueName('outbox-isolation')));
    Orders = testOrderModel(connection);
    await Orders.init();
  });
  afterAll(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    await admin.disconnect();
    await connection.dropDatabase();
    await connection.close();
  });

  it('with the topic limit read from the broker, a backlog far over it goes out in bounded sends and an event too large for any send is parked', async () => {
    const topic = await smallTopic();
    const backlog = await writeBacklog(topic, 120); // ~240 KB pending for a topic that takes 16 KB a batch
    const relay = newRelay();
    relay.setTopicLimits(await topicMessageLimits(admin, [topic]));
    relay.start();

    await until(async () => (await pendingAmong(backlog.orderIds)) === 0, 'backlog drained', 30_000);
    const duplicates = await expectAllPublishedInOrder(topic, backlog);
    expect(duplicates).toBe(0); // nothing was refused, so nothing was sent twice
    await expectParked(backlog.oversizeId);
    expect(await metricsRegistry.getSingleMetricAsString('outbox_parked_total')).toMatch(/reason="MESSAGE_TOO_LARGE"\} [1-9]/);
    await expectStillFlowing(relay, topic);
  });

  it('when the broker refuses a send it did not expect to (limit unknown), the send is split until the refused document is alone; the rest is published and publishing goes on', async () => {
    const topic = await smallTopic();
    const backlog = await writeBacklog(topic, 120);
    const relay = newRelay(); // assumes Kafka's default 1 MB limit: its first sends are refused
    relay.start();

    await until(async () => (await pendingAmong(backlog.orderIds)) === 0, 'backlog drained', 45_000);
    await expectAllPublishedInOrder(topic, backlog);
    await expectParked(backlog.oversizeId);
    // After refused sends (kafkajs rolls back the sequence numbers of every partition in the request)
    // the relay's new producer publishes normally.
    await expectStillFlowing(relay, topic);
  });

  it('an event too large for its topic is refused at write time with 413 EVENT.TOO_LARGE, before anything is stored', async () => {
    const topic = await smallTopic();
    const relay = newRelay();
    relay.setTopicLimits(await topicMessageLimits(admin, [topic]));
    const outbox = new Outbox(relay, { 'order-service.order-events': topic });
    const event = buildOrderPlaced();
    event.data.items = Array.from({ length: 400 }, (_, i) => ({ productId: `product-${i}-${'p'.repeat(40)}`, quantity: 1, price: 1 }));

    expect(() => outbox.forCreate([event])).toThrow(expect.objectContaining({ kind: 'too-large', code: 'EVENT.TOO_LARGE' }));
    expect(() => outbox.forCreate([buildOrderPlaced()])).not.toThrow();
  });

  it('a topic deleted while the service runs is created again and publishing resumes', async () => {
    const topic = uniqueName('outbox-deleted');
    const spec = [{ topic, numPartitions: 1 }];
    await provisionTopics(kafka, spec, silentLogger());
    const relay = newRelay({ provisionTopics: () => provisionTopics(kafka, spec, silentLogger()) });
    relay.start();
    const outbox = new Outbox(relay, { 'order-service.order-events': topic });
    const publish = async (): Promise<string> => {
      const event = buildOrderPlaced();
      await Orders.create({ _id: event.data.orderId, status: 'PENDING', ...outbox.forCreate([event]) });
      outbox.committed(Orders, event.data.orderId);
      return event.eventId;
    };
    const seen = async (eventId: string): Promise<boolean> =>
      (await readTopicToEnd(kafka, topic).catch(() => [])).some(({ message }) => message.headers!.eventId!.toString() === eventId);
    const first = await publish();
    await until(() => seen(first), 'first event published', 15_000);

    await admin.deleteTopics({ topics: [topic] });
    await until(async () => !(await admin.listTopics()).includes(topic), 'topic deleted', 15_000);
    const second = await publish();

    await until(() => seen(second), 'event published after the topic was deleted', 50_000);
  }, 90_000);

  it("an idle relay polls slowly (its own in-flight documents do not count) and still recovers a dead writer's events at that pace", async () => {
    const topic = await smallTopic();
    const relay = newRelay({ pollIntervalMs: 100, idlePollIntervalMs: 1_500, leaseMs: 200 });
    relay.start();
    await new Promise((r) => setTimeout(r, 800)); // past the fast window (two lease periods), nothing found
    const orphan = randomUUID();
    const event = entry(topic, orphan, 100, 1);
    event.headers.eventId = event.eventId;
    // A writer that died after its commit: lease run out, relay never woken.
    await Orders.insertMany([
      { _id: orphan, status: 'PENDING', outbox: [event], outboxLeaseUntil: new Date(Date.now() - 1_000), outboxLeaseOwner: 'dead-writer' },
    ]);

    await until(async () => (await pendingAmong([orphan])) === 0, 'orphan recovered by the idle poll', 10_000);
    const published = await readTopicToEnd(kafka, topic);
    expect(published.map(({ message }) => message.headers!.eventId!.toString())).toEqual([event.eventId]);
  });
});

/**
 * The floor: the durable work of one order, done with the plain MongoDB driver's bulk operations and
 * plain kafkajs batches, as fast as one process can — no framework, no per-message loop. Its
 * orders/s is the ceiling the platform is measured against (`npm run bench` runs it as `floor`).
 *
 * Per order, as the platform stores it (each step is one bulk command or one batch for a whole batch
 * of orders):
 *   1. insert the order with OrderPlaced in its outbox (insertMany), publish OrderPlaced (sendBatch),
 *      clear the published outbox entries (one updateMany);
 *   2. inventory consumes OrderPlaced: one bulkWrite of $inc per product, insertMany of the
 *      reservations with InventoryReserved in their outbox, publish, clear;
 *   3. orders consume InventoryReserved: one bulkWrite of conditional updates (PENDING → CONFIRMED,
 *      timeline entry, OrderConfirmed in the outbox), publish OrderConfirmed, clear;
 *   4. notifications consume OrderPlaced and OrderConfirmed: one read of the customers' preferences,
 *      insertMany of the email and SMS records with the send lease taken, one updateMany to SENT.
 * Products keep no per-order holds (the reservation documents record the lines); consumers keep no
 * processed-event records (every step is naturally idempotent); offsets commit once per batch.
 *
 *   npx tsx tools/bench/floor.ts [--orders 10000] [--batch 100] [--in-flight 2000] [--cpu-pids kafka=1,mongo=2]
 * Uses KAFKA_BROKERS and DB_URL (the local stack's defaults otherwise). Progress goes to stderr; the
 * last stdout line is the result as JSON.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { provisionTopics, stopIdleRequestQueueTimers } from '@orderplatform/shared/kafka';
import { createLogger } from '@orderplatform/shared/logging';
import { Kafka, logLevel, Partitioners, type Consumer, type EachBatchPayload, type Message } from 'kafkajs';
import { MongoClient, type AnyBulkWriteOperation, type Document, type Filter, type UpdateFilter } from 'mongodb';
import { CpuMeter, perOrder } from './lib/cpu.js';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '100' },
    'in-flight': { type: 'string', default: '2000' },
    'cpu-pids': { type: 'string', default: '' },
    run: { type: 'string', default: `floor-${Date.now().toString(36)}` },
  },
});
const ORDERS = Number(values.orders);
const BATCH = Number(values.batch);
const IN_FLIGHT = Number(values['in-flight']);
const RUN = values.run.replaceAll('-', '_');
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const serverUrl = process.env.DB_URL ?? 'mongodb://127.0.0.1:27017';
const PRODUCTS = Array.from({ length: 10 }, (_, i) => `f${i + 1}`);
const TOPICS = { orders: `${RUN}.order-events`, inventory: `${RUN}.inventory-events` };
const say = (line: string) => process.stderr.write(`  floor: ${line}\n`);

let commands = 0;
let kafkaRequests = 0;
const client = new MongoClient(serverUrl, { maxPoolSize: 16, monitorCommands: true });
client.on('commandStarted', () => (commands += 1));
const dbs = {
  orders: client.db(`${RUN}_orderdb`),
  inventory: client.db(`${RUN}_inventorydb`),
  notifications: client.db(`${RUN}_notificationdb`),
};
const orders = dbs.orders.collection('orders');
const products = dbs.inventory.collection('products');
const reservations = dbs.inventory.collection('reservations');
const notifications = dbs.notifications.collection('notifications');
const preferences = dbs.notifications.collection('contact_preferences');

// kafkajs without its 1 ms idle timer loop, as the platform runs it (the floor gets every fix the services get).
stopIdleRequestQueueTimers();
const kafka = new Kafka({ clientId: 'floor', brokers, logLevel: logLevel.NOTHING });
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
producer.on(producer.events.REQUEST, () => (kafkaRequests += 1));

// --- documents and events shaped like the platform's -------------------------------------------

interface Envelope {
  eventId: string;
  eventType: string;
  version: number;
  occurredAt: string;
  source: string;
  correlationId: string;
  causationId: string | null;
  data: Record<string, unknown>;
}

const envelope = (
  eventType: string,
  source: string,
  correlationId: string,
  causationId: string | null,
  data: Record<string, unknown>,
): Envelope => ({
  eventId: randomUUID(),
  eventType,
  version: 1,
  occurredAt: new Date().toISOString(),
  source,
  correlationId,
  causationId,
  data,
});

const headersOf = (event: Envelope) => ({
  eventType: event.eventType,
  eventId: event.eventId,
  version: String(event.version),
  correlationId: event.correlationId,
  traceparent: `00-${randomUUID().replaceAll('-', '')}-${randomUUID().replaceAll('-', '').slice(0, 16)}-01`,
});

const outboxEntry = (event: Envelope, topic: string, key: string) => ({
  eventId: event.eventId,
  eventType: event.eventType,
  topic,
  key,
  value: JSON.stringify(event),
  headers: headersOf(event),
  createdAt: new Date(),
});

const message = (entry: ReturnType<typeof outboxEntry>): Message => ({ key: entry.key, value: entry.value, headers: entry.headers });
const lease = () => ({ outboxLeaseUntil: new Date(Date.now() + 30_000), outboxLeaseOwner: 'floor' });
/** The driver's update typings do not follow untyped documents' arrays; these are plain operator documents. */
const asUpdate = (u: Document): UpdateFilter<Document> => u as UpdateFilter<Document>;

/** The relay's acknowledgement: the published entries leave the outbox (one updateMany for the batch). */
const clearOutbox = (ids: string[], eventIds: string[]): { filter: Filter<Document>; update: UpdateFilter<Document> } => ({
  filter: { _id: { $in: ids } } as unknown as Filter<Document>,
  update: asUpdate({ $pull: { outbox: { eventId: { $in: eventIds } } }, $set: { outboxLeaseUntil: null, outboxLeaseOwner: null } }),
});

function newOrder(i: number) {
  const orderId = randomUUID();
  const customer = { email: `floor-${i % 100}@example.com`, phone: `+1415555${String(i % 100).padStart(4, '0')}` };
  const items = [{ productId: PRODUCTS[i % PRODUCTS.length]!, quantity: 1, unitPriceCents: 1999 }];
  const correlationId = randomUUID();
  const placed = envelope('OrderPlaced', 'orderservice', correlationId, null, {
    orderId,
    customerId: `floor-${i % 100}`,
    customer,
    items: items.map((l) => ({ productId: l.productId, quantity: l.quantity, price: 19.99 })),
    totalAmount: 19.99,
    currency: 'USD',
  });
  const now = new Date();
  const entry = outboxEntry(placed, TOPICS.orders, orderId);
  const doc = {
    _id: orderId,
    customerId: `floor-${i % 100}`,
    customer,
    items,
    totalCents: 1999,
    currency: 'USD',
    status: 'PENDING',
    correlationId,
    timeline: [{ status: 'PENDING', at: now, eventType: 'OrderPlaced', eventId: placed.eventId }],
    createdAt: now,
    updatedAt: now,
    outbox: [entry],
    ...lease(),
  };
  return { doc, entry };
}

// --- the pipeline --------------------------------------------------------------------------------

const counts = { placed: 0, reserved: 0, confirmed: 0, notifiedPlaced: 0, notifiedConfirmed: 0 };
const completed = () => Math.min(counts.notifiedPlaced, counts.notifiedConfirmed);
let failure: Error | undefined;
let finish: () => void = () => undefined;
const finished = new Promise<void>((resolve) => (finish = resolve));
const check = () => {
  if (completed() >= ORDERS) finish();
};

const eventsOf = (payload: EachBatchPayload): Envelope[] => payload.batch.messages.map((m) => JSON.parse(m.value!.toString()) as Envelope);

async function placeBatch(from: number, n: number): Promise<void> {
  const batch = Array.from({ length: n }, (_, k) => newOrder(from + k));
  await orders.insertMany(batch.map((b) => b.doc) as never[], { ordered: false });
  await producer.sendBatch({ acks: -1, topicMessages: [{ topic: TOPICS.orders, messages: batch.map((b) => message(b.entry)) }] });
  const { filter, update } = clearOutbox(
    batch.map((b) => b.doc._id),
    batch.map((b) => b.entry.eventId),
  );
  await orders.updateMany(filter, update);
  counts.placed += n;
}

/** Inventory: OrderPlaced → stock taken, reservation written, InventoryReserved published. */
async function reserve(payload: EachBatchPayload): Promise<void> {
  const placed = eventsOf(payload).filter((e) => e.eventType === 'OrderPlaced');
  if (placed.length === 0) return;
  const perProduct = new Map<string, number>();
  for (const e of placed)
    for (const line of e.data.items as Array<{ productId: string; quantity: number }>)
      perProduct.set(line.productId, (perProduct.get(line.productId) ?? 0) + line.quantity);
  const stock: AnyBulkWriteOperation[] = [...perProduct].map(([productId, q]) => ({
    updateOne: {
      filter: { productId, available: { $gte: q } },
      update: { $inc: { available: -q, reserved: q }, $currentDate: { updatedAt: true } },
    },
  }));
  await products.bulkWrite(stock, { ordered: false });
  const now = new Date();
  const docs = placed.map((e) => {
    const orderId = e.data.orderId as string;
    const reservationId = randomUUID();
    const lines = (e.data.items as Array<{ productId: string; quantity: number }>).map(({ productId, quantity }) => ({
      productId,
      quantity,
    }));
    const reserved = envelope('InventoryReserved', 'inventoryservice', e.correlationId, e.eventId, {
      orderId,
      reservationId,
      items: lines,
    });
    const entry = outboxEntry(reserved, TOPICS.inventory, orderId);
    return {
      doc: { _id: orderId, reservationId, status: 'RESERVED', lines, createdAt: now, updatedAt: now, outbox: [entry], ...lease() },
      entry,
    };
  });
  await reservations.insertMany(docs.map((d) => d.doc) as never[], { ordered: false });
  await producer.sendBatch({ acks: -1, topicMessages: [{ topic: TOPICS.inventory, messages: docs.map((d) => message(d.entry)) }] });
  const { filter, update } = clearOutbox(
    docs.map((d) => d.doc._id),
    docs.map((d) => d.entry.eventId),
  );
  await reservations.updateMany(filter, update);
  counts.reserved += placed.length;
}

/** Orders: InventoryReserved → CONFIRMED with its timeline entry, OrderConfirmed published. */
async function confirm(payload: EachBatchPayload): Promise<void> {
  const reserved = eventsOf(payload).filter((e) => e.eventType === 'InventoryReserved');
  if (reserved.length === 0) return;
  // The platform's OrderConfirmed carries the customer from the order it updates: one read for the batch.
  const placed = new Map(
    (
      await orders
        .find({ _id: { $in: reserved.map((e) => e.data.orderId as string) } } as never, { projection: { customerId: 1, customer: 1 } })
        .toArray()
    ).map((o) => [o._id as unknown as string, o]),
  );
  const now = new Date();
  const confirmed = reserved.map((e) => {
    const orderId = e.data.orderId as string;
    const order = placed.get(orderId);
    const event = envelope('OrderConfirmed', 'orderservice', e.correlationId, e.eventId, {
      orderId,
      customerId: order?.customerId,
      customer: order?.customer,
      totalAmount: 19.99,
      currency: 'USD',
      reservationId: e.data.reservationId,
    });
    return { orderId, reservationId: e.data.reservationId as string, event, entry: outboxEntry(event, TOPICS.orders, orderId) };
  });
  const ops = confirmed.map((c) => ({
    updateOne: {
      filter: { _id: c.orderId, status: 'PENDING' } as Document,
      update: asUpdate({
        $set: { status: 'CONFIRMED', reservationId: c.reservationId, updatedAt: now, ...lease() },
        $push: {
          timeline: { status: 'CONFIRMED', at: now, eventType: 'OrderConfirmed', eventId: c.event.eventId, causedBy: c.event.causationId },
          outbox: c.entry,
        },
      }),
    },
  }));
  await orders.bulkWrite(ops, { ordered: false });
  await producer.sendBatch({ acks: -1, topicMessages: [{ topic: TOPICS.orders, messages: confirmed.map((c) => message(c.entry)) }] });
  const { filter, update } = clearOutbox(
    confirmed.map((c) => c.orderId),
    confirmed.map((c) => c.entry.eventId),
  );
  await orders.updateMany(filter, update);
  counts.confirmed += confirmed.length;
}

/** Notifications: OrderPlaced and OrderConfirmed → an email and an SMS record each, sent. */
async function notify(payload: EachBatchPayload): Promise<void> {
  const events = eventsOf(payload).filter((e) => e.eventType === 'OrderPlaced' || e.eventType === 'OrderConfirmed');
  if (events.length === 0) return;
  await preferences.find({ _id: { $in: [...new Set(events.map((e) => e.data.customerId as string))] } as never }).toArray();
  const now = new Date();
  const until = new Date(now.getTime() + 30_000);
  const records = events.flatMap((e) => {
    const customer = e.data.customer as { email: string; phone: string };
    const base = {
      eventId: e.eventId,
      eventType: e.eventType,
      orderId: e.data.orderId,
      customerId: e.data.customerId,
      status: 'PENDING',
      attempts: 1,
      leaseId: randomUUID(),
      leaseUntil: until,
      createdAt: now,
      updatedAt: now,
    };
    const ref = (e.data.orderId as string).slice(0, 8);
    return [
      {
        _id: randomUUID(),
        ...base,
        channel: 'EMAIL',
        recipient: customer.email,
        subject: `Your order ${ref}: ${e.eventType}`,
        body: `Hello,\n\nyour order ${ref} (${e.eventType}) for 19.99 USD. ${'Thank you for shopping with us. '.repeat(10)}`,
      },
      {
        _id: randomUUID(),
        ...base,
        channel: 'SMS',
        recipient: customer.phone,
        body: `Order ${ref}: ${e.eventType}, 19.99 USD. Thank you!`,
      },
    ];
  });
  await notifications.insertMany(records as never[], { ordered: false });
  // The mock providers accept at once; one write marks them all SENT.
  await notifications.updateMany({ _id: { $in: records.map((r) => r._id) } } as never, {
    $set: { status: 'SENT', sentAt: new Date(), leaseId: null, leaseUntil: null },
  });
  for (const e of events) {
    if (e.eventType === 'OrderPlaced') counts.notifiedPlaced += 1;
    else counts.notifiedConfirmed += 1;
  }
  check();
}

function consumer(
  groupId: string,
  topic: string,
  handle: (payload: EachBatchPayload) => Promise<void>,
): { consumer: Consumer; joined: Promise<void> } {
  const c = kafka.consumer({ groupId: `${RUN}-${groupId}`, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  c.on(c.events.REQUEST, () => (kafkaRequests += 1));
  const joined = new Promise<void>((resolve) => c.on(c.events.GROUP_JOIN, () => resolve()));
  void (async () => {
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async (payload) => {
        try {
          await handle(payload);
        } catch (err) {
          failure = err as Error;
          finish();
          throw err;
        }
      },
    });
  })().catch((err: unknown) => {
    failure = err as Error;
    finish();
  });
  return { consumer: c, joined };
}

async function main(): Promise<void> {
  const cpuPids = Object.fromEntries(
    values['cpu-pids']
      .split(',')
      .filter(Boolean)
      .map((pair) => pair.split('=') as [string, string])
      .map(([name, pid]) => [name, Number(pid)]),
  );
  await client.connect();
  await orders.createIndex({ idempotencyKey: 1 }, { unique: true, sparse: true });
  await products.createIndex({ productId: 1 }, { unique: true });
  await notifications.createIndex({ eventId: 1, channel: 1 }, { unique: true });
  await reservations.insertOne({ _id: 'warm-up' as never });
  await preferences.insertOne({ _id: 'warm-up' as never });
  await products.insertMany(
    PRODUCTS.map((productId) => ({
      productId,
      name: productId,
      available: 100_000_000,
      reserved: 0,
      sold: 0,
      initial: 100_000_000,
      restocked: 0,
      createdAt: new Date(),
      updatedAt: new Date(),
    })),
  );
  const admin = kafka.admin();
  await admin.connect();
  // Setup only (not measured): the kit's provisioning, which waits until every broker of a cluster knows the topics.
  await provisionTopics(
    kafka,
    [TOPICS.orders, TOPICS.inventory].map((topic) => ({ topic, numPartitions: 3 })),
    createLogger({ service: 'bench-floor', level: 'silent' }),
  );
  await producer.connect();
  const consumers = [
    consumer('inventory', TOPICS.orders, reserve),
    consumer('orders', TOPICS.inventory, confirm),
    consumer('notifications', TOPICS.orders, notify),
  ];
  await Promise.all(consumers.map((c) => c.joined));
  say(`${ORDERS} orders, batches of ${BATCH}, up to ${IN_FLIGHT} in flight`);

  const cpu = new CpuMeter({ floor: process.pid, ...cpuPids }).start();
  const commands0 = commands;
  const requests0 = kafkaRequests;
  const started = performance.now();
  const ticker = setInterval(
    () => say(`${counts.placed} placed, ${counts.reserved} reserved, ${counts.confirmed} confirmed, ${completed()} notified`),
    2_000,
  );
  let next = 0;
  // Four writers keep the source side busy while earlier batches are on the wire.
  const writers = Array.from({ length: 4 }, async () => {
    while (next < ORDERS && !failure) {
      if (next - completed() >= IN_FLIGHT) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      const from = next;
      const n = Math.min(BATCH, ORDERS - from);
      next += n;
      await placeBatch(from, n);
    }
  });
  await Promise.all([...writers, finished]);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(ticker);
  const cpuMs = cpu.stop();
  if (failure) throw failure;
  const done = completed();
  const result = {
    orders: done,
    seconds: Math.round(seconds * 1000) / 1000,
    ordersPerSec: Math.round(done / seconds),
    batch: BATCH,
    inFlight: IN_FLIGHT,
    cpuMsPerOrder: perOrder(cpuMs, done),
    commandsPerOrder: Math.round(((commands - commands0) / done) * 100) / 100,
    kafkaRequestsPerOrder: Math.round(((kafkaRequests - requests0) / done) * 100) / 100,
  };
  say(
    `${result.ordersPerSec} orders/s (${done} orders in ${result.seconds} s), ${result.commandsPerOrder} commands and ${result.kafkaRequestsPerOrder} Kafka requests per order`,
  );

  await Promise.all(consumers.map((c) => c.consumer.disconnect()));
  await producer.disconnect();
  await admin.deleteTopics({ topics: [TOPICS.orders, TOPICS.inventory] }).catch(() => undefined);
  await admin.disconnect();
  for (const db of Object.values(dbs)) await db.dropDatabase();
  await client.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`floor: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

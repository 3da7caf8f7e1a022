/**
 * Outbox publish latency: time from a committed write (the create() promise resolving) to Kafka
 * acknowledging the event (acks=all), over N writes at a fixed rate. Uses the running local stack
 * (npm run stack:up) or KAFKA_BROKERS / DB_URL.
 *
 *   npm run bench:publish -- [--writes 1000] [--rate 200]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import pino from 'pino';
import { createEvent, TOPICS } from '@orderplatform/shared/contracts';
import { createIdempotentProducer, provisionTopics } from '@orderplatform/shared/kafka';
import { Outbox, OutboxRelay } from '@orderplatform/shared/outbox';
import { testOrderModel } from '@orderplatform/shared/testing';
import { percentile, summarize } from './lib/stats.js';

const { values } = parseArgs({ options: { writes: { type: 'string', default: '1000' }, rate: { type: 'string', default: '200' } } });
const writes = Number(values.writes);
const rate = Number(values.rate);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const dbUrl = process.env.DB_URL ?? 'mongodb://127.0.0.1:27017';

const kafka = new Kafka({ clientId: 'bench-publish', brokers, logLevel: logLevel.ERROR });
const topic = `bench-publish-${randomUUID().slice(0, 8)}`;
await provisionTopics(kafka, [{ topic, numPartitions: 3 }], pino({ level: 'warn' }));
const url = new URL(dbUrl);
url.pathname = `/bench_publish_${randomUUID().slice(0, 8)}`;
const connection = await mongoose.createConnection(url.toString()).asPromise();
const Orders = testOrderModel(connection);
await Orders.init();
const producer = createIdempotentProducer(kafka);
await producer.connect();
const relay = new OutboxRelay(producer, pino({ level: 'warn' })).register(Orders);
relay.start();
const outbox = new Outbox(relay, { [TOPICS.orderEvents]: topic });

const committedAt = new Map<string, number>();
const latencies: number[] = [];
let done: () => void;
const allPublished = new Promise<void>((resolve) => (done = resolve));
relay.onPublished((entries, ackedAt) => {
  for (const entry of entries) {
    const t0 = committedAt.get(entry.eventId);
    if (t0 !== undefined) latencies.push(ackedAt - t0);
  }
  if (latencies.length >= writes) done();
});

console.log(`Writing ${writes} orders at ${rate}/s, each with its OrderPlaced in the same document write…`);
const started = performance.now();
const inFlight: Promise<void>[] = [];
for (let i = 0; i < writes; i++) {
  const due = started + (i * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const event = createEvent(
    'OrderPlaced',
    {
      orderId: randomUUID(),
      customerId: 'bench',
      items: [{ productId: '1', quantity: 1, price: 9.99 }],
      totalAmount: 9.99,
      currency: 'USD',
    },
    { source: 'bench' },
  );
  inFlight.push(
    Orders.create({ _id: event.data.orderId, status: 'PENDING', ...outbox.forCreate([event]) }).then(() => {
      committedAt.set(event.eventId, Date.now());
      outbox.committed(Orders, event.data.orderId);
    }),
  );
  if ((i + 1) % 250 === 0) process.stdout.write(`  ${i + 1}/${writes} written\n`);
}
await Promise.all(inFlight);
await allPublished;
const elapsed = (performance.now() - started) / 1000;

const s = summarize(latencies);
console.log(`Published ${latencies.length} events in ${elapsed.toFixed(1)} s`);
console.log(`commit → acked on topic: p50 ${s.p50} ms, p90 ${percentile(latencies, 90)} ms, p99 ${s.p99} ms, max ${s.max} ms`);

await relay.stop();
await producer.disconnect();
await connection.dropDatabase();
await connection.close();
const admin = kafka.admin();
await admin.connect();
await admin.deleteTopics({ topics: [topic] });
await admin.disconnect();

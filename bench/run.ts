/**
 * npm run bench — measures the platform on this machine (SPEC §10) and writes
 * results/bench-<time>.json, results/latest.json and results/latest.svg.
 *
 *   --connections N   concurrency for the API and the raw ceilings (default 32)
 *   --duration S      seconds per throughput phase (default 10)
 *   --rate R          saga arrival rate, orders/s (default 100)
 *   --saga-orders N   orders in the saga-latency phase (default 1000)
 *   --backlog N       orders accepted while inventoryservice is stopped (default 3000)
 *   --quick           short run (3 s phases, 300 saga orders, 1000 backlog) for a smoke check
 *   --tracing         the services record OpenTelemetry traces (OTEL_* set) and export them over
 *                     OTLP/HTTP (protobuf) to a sink in this process, to measure what tracing costs
 *   --brokers 1|3     3: the services use a private three-broker Kafka cluster on free ports (topics with
 *                     3 replicas, min.insync.replicas 2), started for this run and removed after it; the
 *                     database stays the default stack's. 1 (default): the default stack's broker.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { provisionTopics } from '@orderplatform/shared';
import { defaultStackOptions, kafkaNodeCount } from '../infra/local/lib/config.js';
import { LocalStack } from '../infra/local/lib/LocalStack.js';
import { privateStackOptions } from '../infra/local/lib/privateStack.js';
import { postJson, progress, ROOT, startServiceProcess, type ServiceProcess } from './lib/platform.js';
import { percentile, summarize } from './lib/stats.js';
import { renderChart } from './lib/chart.js';
import { startOtlpReceiver, type OtlpReceiver } from '../scripts/lib/otlpReceiver.js';
import { freePort } from '../scripts/lib/serviceProcess.js';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '32' },
    duration: { type: 'string', default: '10' },
    rate: { type: 'string', default: '100' },
    'saga-orders': { type: 'string', default: '1000' },
    backlog: { type: 'string', default: '3000' },
    quick: { type: 'boolean', default: false },
    tracing: { type: 'boolean', default: false },
    brokers: { type: 'string', default: '1' },
  },
});
const BROKERS = kafkaNodeCount(values.brokers);
const quick = values.quick;
const C = Number(values.connections);
const DURATION = quick ? 3 : Number(values.duration);
const RATE = Number(values.rate);
const SAGA_ORDERS = quick ? 300 : Number(values['saga-orders']);
const BACKLOG = quick ? 1000 : Number(values.backlog);
const ADMIN = { 'x-api-key': 'bench-admin-key-0123456789' };
const RUN = `bench-${Date.now().toString(36)}${values.tracing ? '-traced' : ''}`;
const LOG_DIR = path.join(ROOT, '.cache', 'logs', RUN);
const PRODUCTS = Array.from({ length: 10 }, (_, i) => `b${i + 1}`);
// Each order carries contact details like a shop's checkout would, so every lifecycle event is also
// notified by email and SMS (the mock providers) while the benchmark runs.
const orderBody = (i: number) => ({
  customerId: `bench-${i % 100}`,
  customer: { email: `bench-${i % 100}@example.com`, phone: `+1415555${String(i % 100).padStart(4, '0')}` },
  items: [{ productId: PRODUCTS[i % PRODUCTS.length]!, quantity: 1, price: 19.99 }],
});

const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;
const section = (title: string) => console.log(`\n== ${title}`);

async function main(): Promise<void> {
  console.log(`Benchmark ${RUN}: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; concurrency ${C}, ${DURATION}s phases${values.tracing ? '; tracing on (OTLP to a local sink)' : ''}`);
  section('Local stack');
  const log = (l: string) => console.log(`  ${l}`);
  const clusterDir = BROKERS === 3 ? mkdtempSync(path.join(os.tmpdir(), `${RUN}-kafka-`)) : undefined;
  const cluster = clusterDir ? new LocalStack(await privateStackOptions(clusterDir, { kafkaNodes: 3 }), { dbUrl: 'mongodb://unused' }, log) : undefined;
  // With --brokers 3 the default stack only provides the database.
  const stack = new LocalStack(defaultStackOptions(), { kafkaBrokers: cluster?.kafkaBrokers ?? process.env.KAFKA_BROKERS, dbUrl: process.env.DB_URL }, log);
  const up = await stack.up();
  const dbUrl = (db: string) => {
    const url = new URL(up.dbUrl);
    url.pathname = `/${db}`;
    return url.toString();
  };
  // A collector stand-in: accepts every export and keeps nothing, so only the services' side of tracing is measured.
  const traceSink: OtlpReceiver | undefined = values.tracing ? await startOtlpReceiver() : undefined;
  const env = {
    ...(traceSink ? { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: traceSink.url } : {}),
    KAFKA_BROKERS: up.kafkaBrokers,
    ORDER_EVENTS_TOPIC: `${RUN}.order-events`,
    INVENTORY_EVENTS_TOPIC: `${RUN}.inventory-events`,
    ADMIN_API_KEY: ADMIN['x-api-key'],
    RATE_LIMIT_MAX: '1000000000',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    SEED_CATALOG: 'false',
    SEED_DEMO_CONTACTS: 'false',
  };
  const orderDb = `${RUN}-orderdb`.replaceAll('-', '_');
  const inventoryDb = `${RUN}-inventorydb`.replaceAll('-', '_');
  const running: ServiceProcess[] = [];
  const report: Record<string, unknown> = {
    run: RUN,
    at: new Date().toISOString(),
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` },
    settings: { connections: C, durationS: DURATION, sagaRate: RATE, sagaOrders: SAGA_ORDERS, backlog: BACKLOG, logLevel: env.LOG_LEVEL, tracing: values.tracing, kafkaBrokers: BROKERS },
  };
  try {
    if (cluster) {
      await cluster.up();
      log(`three-broker cluster ${cluster.kafkaBrokers} for this run (state in ${clusterDir})`);
    }
    section('Services');
    // Free ports, not fixed ones: on a shared machine a fixed port may already be another run's service,
    // which would answer the health check in this run's place.
    const ports = { orders: await freePort(), inventory: await freePort(), notifications: await freePort() };
    // Consumer groups of this run only: another run's services on the shared broker would otherwise join
    // the same default groups and take this run's partitions.
    const own = (service: string, db: string) => ({ ...env, DB_URL: dbUrl(db), CONSUMER_GROUP_ID: `${RUN}.${service}` });
    const [orders, inventory] = await Promise.all([
      startServiceProcess('orderservice', ports.orders, own('orderservice', orderDb), LOG_DIR),
      startServiceProcess('inventoryservice', ports.inventory, own('inventoryservice', inventoryDb), LOG_DIR),
    ]);
    running.push(orders, inventory);
    const notificationDb = `${RUN}_notificationdb`.replaceAll('-', '_');
    const notifications = await startServiceProcess('notificationservice', ports.notifications, own('notificationservice', notificationDb), LOG_DIR);
    running.push(notifications);
    for (const productId of PRODUCTS) {
      const res = await fetch(`${inventory.url}/api/inventory/${productId}`, { method: 'PUT', headers: { 'content-type': 'application/json', ...ADMIN }, body: JSON.stringify({ name: productId, available: 100_000_000 }) });
      if (res.status >= 300) throw new Error(`stocking ${productId} failed: ${res.status}`);
    }
    console.log(`  three services up (logs in ${path.relative(ROOT, LOG_DIR)}), 10 products stocked`);

    section(`Raw ceilings at concurrency ${C}`);
    report.mongoInsertCeiling = await mongoCeiling(dbUrl(`${RUN}_raw`.replaceAll('-', '_')));
    report.kafkaProduceCeiling = await kafkaCeiling(up.kafkaBrokers);

    section(`Orders API: POST /api/orders at concurrency ${C}`);
    const api = await apiThroughput(orders.url, { connections: C, duration: DURATION });
    report.ordersApi = api;
    const halfRate = Math.max(1, Math.floor(api.requestsPerSec / 2));
    report.ordersApiAtHalf = await apiThroughput(orders.url, { connections: C, duration: DURATION, overallRate: halfRate, label: `at half the maximum (${halfRate} req/s)` });
    const insertCeiling = (report.mongoInsertCeiling as { opsPerSec: number }).opsPerSec;
    report.ratioToInsertCeiling = Math.round((api.requestsPerSec / insertCeiling) * 1000) / 1000;

    // Each phase starts on a quiet system: the sagas of the API phase's orders finish first.
    await waitUntilQuiet(dbUrl(orderDb), dbUrl(notificationDb));
    section(`Saga latency: POST → CONFIRMED (long-poll), ${SAGA_ORDERS} orders at ${RATE}/s`);
    report.sagaLatency = await sagaLatency(orders.url);

    await waitUntilQuiet(dbUrl(orderDb), dbUrl(notificationDb));
    section(`Backlog drain: ${BACKLOG} orders accepted while inventoryservice is stopped`);
    report.backlogDrain = await backlogDrain(orders, inventory, running, own('inventoryservice', inventoryDb), dbUrl(orderDb));
    report.notifications = await notificationsSettled(dbUrl(notificationDb));
    console.log(`  notifications recorded during the run: ${JSON.stringify(report.notifications)}`);
  } finally {
    section('Stopping');
    await Promise.all(running.map((s) => s.stop()));
    if (traceSink) {
      report.traceExports = traceSink.requests;
      await traceSink.close();
    }
    if (up.started.length > 0) await stack.down(up.started);
    if (cluster && clusterDir) {
      await cluster.down();
      if (existsSync(path.join(clusterDir, 'logs'))) cpSync(path.join(clusterDir, 'logs'), path.join(LOG_DIR, 'kafka-cluster'), { recursive: true });
      rmSync(clusterDir, { recursive: true, force: true });
    }
  }

  const outDir = path.join(ROOT, 'results');
  mkdirSync(outDir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(path.join(outDir, `${RUN}.json`), json);
  writeFileSync(path.join(outDir, 'latest.json'), json);
  writeFileSync(path.join(outDir, 'latest.svg'), renderChart(report));
  printSummary(report);
  console.log(`\nReport: results/${RUN}.json (also results/latest.json), chart: results/latest.svg`);
}

/** Waits (bounded) until no order is PENDING, so one phase's backlog does not land in the next one's figures. */
/**
 * Waits (up to 2 min) until the notification service has caught up — nothing PENDING and the count no
 * longer growing — and returns its records by status (every lifecycle event, email and SMS).
 */
async function notificationsSettled(notificationDbUrl: string): Promise<Record<string, number>> {
  const client = new MongoClient(notificationDbUrl);
  await client.connect();
  try {
    const notificationsOf = client.db().collection('notifications');
    const bar = progress('notifications');
    let byStatus: Array<{ _id: string; n: number }> = [];
    const deadline = Date.now() + 120_000;
    for (let last = -1; ; ) {
      byStatus = await notificationsOf.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]).toArray();
      const total = byStatus.reduce((sum, s) => sum + s.n, 0);
      const pending = byStatus.find((s) => s._id === 'PENDING')?.n ?? 0;
      if ((pending === 0 && total === last) || Date.now() > deadline) break;
      bar.update(`${total} recorded, ${pending} being sent`);
      last = total;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const counts = Object.fromEntries(byStatus.map((s) => [s._id, s.n]));
    bar.done(`${Date.now() > deadline ? 'still catching up after 2 min' : 'settled'}: ${JSON.stringify(counts)}`);
    return counts;
  } finally {
    await client.close();
  }
}

/** The previous phase's sagas finished and their notifications went out. */
async function waitUntilQuiet(orderDbUrl: string, notificationDbUrl: string): Promise<void> {
  await ordersSettled(orderDbUrl);
  await notificationsSettled(notificationDbUrl);
}

async function ordersSettled(orderDbUrl: string): Promise<void> {
  const client = new MongoClient(orderDbUrl);
  await client.connect();
  const bar = progress('settling');
  try {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const pending = await client.db().collection('orders').countDocuments({ status: 'PENDING' });
      if (pending === 0) break;
      if (Date.now() > deadline) throw new Error(`${pending} orders still PENDING after 300 s`);
      bar.update(`${pending} orders of the previous phase still PENDING`);
      await new Promise((r) => setTimeout(r, 500));
    }
    bar.done('no order PENDING');
  } finally {
    await client.close();
  }
}

async function mongoCeiling(url: string) {
  const client = new MongoClient(url, { maxPoolSize: C });
  await client.connect();
  const collection = client.db().collection('raw_inserts');
  const doc = () => ({ _id: randomUUID() as never, customerId: 'bench', items: [{ productId: 'b1', quantity: 1, unitPriceCents: 1999 }], totalCents: 1999, status: 'PENDING', createdAt: new Date(), outbox: [{ eventId: randomUUID(), value: 'x'.repeat(450) }] });
  const result = await closedLoop('plain-driver insertOne', () => collection.insertOne(doc()).then(() => undefined));
  await client.db().dropDatabase();
  await client.close();
  return result;
}

async function kafkaCeiling(brokers: string) {
  const kafka = new Kafka({ clientId: 'bench-raw', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const topic = `${RUN}-raw`;
  // The provisioner, not admin.createTopics: on a cluster kafkajs' waitForLeaders fails on a broker that
  // has not heard of the new topic yet.
  await provisionTopics(kafka, [{ topic, numPartitions: 3 }], pino({ level: 'warn' }));
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const value = 'x'.repeat(600);
  const result = await closedLoop('plain kafkajs send (acks=all)', () => producer.send({ topic, acks: -1, messages: [{ key: randomUUID(), value }] }).then(() => undefined));
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  return result;
}

/** C workers doing one operation after another for DURATION seconds. */
async function closedLoop(label: string, op: () => Promise<void>) {
  const latencies: number[] = [];
  const bar = progress(label);
  const end = Date.now() + DURATION * 1000;
  const started = performance.now();
  const ticker = setInterval(() => bar.update(`${latencies.length} ops, ${Math.max(0, Math.ceil((end - Date.now()) / 1000))} s left`), 500);
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        await op();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  clearInterval(ticker);
  const seconds = (performance.now() - started) / 1000;
  const s = summarize(latencies);
  const result = { opsPerSec: Math.round(latencies.length / seconds), p50Ms: s.p50, p99Ms: s.p99, operations: latencies.length };
  bar.done(`${result.opsPerSec} ops/s, p50 ${ms(s.p50)}, p99 ${ms(s.p99)}`);
  return result;
}

async function apiThroughput(url: string, opts: { connections: number; duration: number; overallRate?: number; label?: string }) {
  const bar = progress(opts.label ?? 'autocannon');
  let i = 0;
  const instance = autocannon({
    url: `${url}/api/orders`,
    method: 'POST',
    connections: opts.connections,
    duration: opts.duration,
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify(orderBody(i++)) }) }],
  });
  const startedAt = Date.now();
  const ticker = setInterval(() => bar.update(`${i} requests sent, ${Math.max(0, opts.duration - Math.round((Date.now() - startedAt) / 1000))} s left`), 500);
  const result = await instance;
  clearInterval(ticker);
  const out = {
    requestsPerSec: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    ...(opts.overallRate ? { targetRate: opts.overallRate } : {}),
  };
  bar.done(`${out.requestsPerSec} req/s, p50 ${ms(out.p50Ms)}, p99 ${ms(out.p99Ms)} (${out.requests} requests, ${out.non2xx} non-2xx, ${out.errors} errors)`);
  return out;
}

/** Open loop: orders start on schedule whether or not earlier ones finished (no coordinated omission). */
async function sagaLatency(url: string) {
  const bar = progress('saga');
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  const started = performance.now();
  const runs: Promise<void>[] = [];
  for (let i = 0; i < SAGA_ORDERS; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    runs.push(
      (async () => {
        const t0 = performance.now();
        try {
          const placed = await postJson(`${url}/api/orders`, orderBody(i));
          const res = await fetch(`${url}/api/orders/${placed.body.data.id}?waitFor=CONFIRMED,CANCELLED&timeoutMs=10000`);
          const { data } = (await res.json()) as { data: { status: string } };
          latencies.push(performance.now() - t0);
          outcomes[data.status] = (outcomes[data.status] ?? 0) + 1;
        } catch (err) {
          // Counted, not hidden: an overloaded run shows up as errors in the report.
          const error = err as Error & { cause?: Error };
          const key = `error: ${error.cause?.message ?? error.message}`.slice(0, 60);
          outcomes[key] = (outcomes[key] ?? 0) + 1;
        }
      })(),
    );
    if (i % 50 === 0) bar.update(`${i}/${SAGA_ORDERS} placed, ${latencies.length} settled`);
  }
  await Promise.all(runs);
  const s = summarize(latencies);
  const out = { rate: RATE, orders: SAGA_ORDERS, p50Ms: s.p50, p90Ms: percentile(latencies, 90), p99Ms: s.p99, maxMs: s.max, outcomes };
  bar.done(`p50 ${ms(out.p50Ms)}, p99 ${ms(out.p99Ms)}, max ${ms(out.maxMs)}; outcomes ${JSON.stringify(outcomes)}`);
  return out;
}

async function backlogDrain(orders: ServiceProcess, inventory: ServiceProcess, running: ServiceProcess[], inventoryEnv: Record<string, string>, orderDbUrl: string) {
  await inventory.stop();
  running.splice(running.indexOf(inventory), 1);
  const bar = progress('backlog');
  let placed = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < BACKLOG) {
        const i = next++;
        const res = await postJson(`${orders.url}/api/orders`, orderBody(i));
        if (res.status !== 201) throw new Error(`POST failed with ${res.status} during the backlog phase`);
        placed += 1;
        if (placed % 250 === 0) bar.update(`${placed}/${BACKLOG} accepted`);
      }
    }),
  );
  const client = new MongoClient(orderDbUrl);
  await client.connect();
  const ordersCollection = client.db().collection('orders');
  const pending = () => ordersCollection.countDocuments({ status: 'PENDING' });
  bar.update(`${placed} accepted, ${await pending()} pending; starting inventoryservice`);
  const restarted = await startServiceProcess('inventoryservice', inventory.port, inventoryEnv, LOG_DIR);
  running.push(restarted);
  const t0 = performance.now();
  let left = await pending();
  while (left > 0) {
    await new Promise((r) => setTimeout(r, 25));
    left = await pending();
    bar.update(`${BACKLOG - left}/${BACKLOG} terminal`);
  }
  const seconds = (performance.now() - t0) / 1000;
  await client.close();
  const out = { orders: BACKLOG, seconds: Math.round(seconds * 1000) / 1000, ordersPerSec: Math.round(BACKLOG / seconds) };
  bar.done(`${out.orders} orders terminal ${out.seconds} s after inventoryservice was ready: ${out.ordersPerSec} orders/s`);
  return out;
}

function printSummary(r: Record<string, any>): void {
  const rows: Array<[string, string, string]> = [
    ['plain-driver insertOne (ceiling)', `${r.mongoInsertCeiling.opsPerSec} ops/s`, `p50 ${ms(r.mongoInsertCeiling.p50Ms)} p99 ${ms(r.mongoInsertCeiling.p99Ms)}`],
    ['plain kafkajs send (ceiling)', `${r.kafkaProduceCeiling.opsPerSec} msg/s`, `p50 ${ms(r.kafkaProduceCeiling.p50Ms)} p99 ${ms(r.kafkaProduceCeiling.p99Ms)}`],
    ['POST /api/orders (max)', `${r.ordersApi.requestsPerSec} req/s (${Math.round(r.ratioToInsertCeiling * 100)}% of insert ceiling)`, `p50 ${ms(r.ordersApi.p50Ms)} p99 ${ms(r.ordersApi.p99Ms)}`],
    ['POST /api/orders (half of max)', `${r.ordersApiAtHalf.requestsPerSec} req/s`, `p50 ${ms(r.ordersApiAtHalf.p50Ms)} p99 ${ms(r.ordersApiAtHalf.p99Ms)}`],
    [`saga POST→CONFIRMED at ${r.sagaLatency.rate}/s`, `${r.sagaLatency.orders} orders`, `p50 ${ms(r.sagaLatency.p50Ms)} p99 ${ms(r.sagaLatency.p99Ms)}`],
    ['backlog drain', `${r.backlogDrain.ordersPerSec} orders/s`, `${r.backlogDrain.orders} orders in ${r.backlogDrain.seconds} s`],
  ];
  section('Summary');
  for (const [a, b, c] of rows) console.log(`  ${a.padEnd(36)} ${b.padEnd(44)} ${c}`);
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.stack : String(err)}`);
  process.exitCode = 1;
});

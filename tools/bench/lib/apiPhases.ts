import autocannon from 'autocannon';
import { MongoClient } from 'mongodb';
import path from 'node:path';
import { http, postJson } from '../../lib/http.js';
import { launchService, type ServiceProcess } from '../../lib/serviceProcess.js';
import { CpuMeter } from './cpu.js';
import { progress } from './platform.js';
import { percentile, summarize } from './stats.js';

/** The phases kept from the first benchmark: POST throughput, saga latency by long-poll, backlog drain. */
export interface PhaseContext {
  connections: number;
  orderBody: (i: number) => unknown;
}

const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;

export async function apiThroughput(url: string, ctx: PhaseContext, opts: { duration: number; overallRate?: number; label?: string }) {
  const bar = progress(opts.label ?? 'autocannon');
  let i = 0;
  const instance = autocannon({
    url: `${url}/api/orders`,
    method: 'POST',
    connections: ctx.connections,
    duration: opts.duration,
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify(ctx.orderBody(i++)) }) }],
  });
  const startedAt = Date.now();
  const ticker = setInterval(
    () => bar.update(`${i} requests sent, ${Math.max(0, opts.duration - Math.round((Date.now() - startedAt) / 1000))} s left`),
    500,
  );
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
  bar.done(
    `${out.requestsPerSec} req/s, p50 ${ms(out.p50Ms)}, p99 ${ms(out.p99Ms)} (${out.requests} requests, ${out.non2xx} non-2xx, ${out.errors} errors)`,
  );
  return out;
}

/** Open loop: orders start on schedule whether or not earlier ones finished (no coordinated omission). */
export async function sagaLatency(url: string, ctx: PhaseContext, opts: { rate: number; orders: number }) {
  const bar = progress('saga');
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  const started = performance.now();
  const runs: Promise<void>[] = [];
  for (let i = 0; i < opts.orders; i++) {
    const due = started + (i * 1000) / opts.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    runs.push(
      (async () => {
        const t0 = performance.now();
        try {
          const placed = await postJson(`${url}/api/orders`, ctx.orderBody(i));
          const settled = await http<{ data: { status: string } }>(
            'GET',
            `${url}/api/orders/${placed.body.data.id}?waitFor=CONFIRMED,CANCELLED&timeoutMs=10000`,
          );
          const { data } = settled.body;
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
    if (i % 50 === 0) bar.update(`${i}/${opts.orders} placed, ${latencies.length} settled`);
  }
  await Promise.all(runs);
  const s = summarize(latencies);
  const out = {
    rate: opts.rate,
    orders: opts.orders,
    p50Ms: s.p50,
    p90Ms: percentile(latencies, 90),
    p99Ms: s.p99,
    maxMs: s.max,
    outcomes,
  };
  bar.done(`p50 ${ms(out.p50Ms)}, p99 ${ms(out.p99Ms)}, max ${ms(out.maxMs)}; outcomes ${JSON.stringify(outcomes)}`);
  return out;
}

/**
 * Orders accepted while inventoryservice is stopped, then the time until all are terminal once it
 * is back. Returns the restarted inventory service (its pid changed).
 */
export async function backlogDrain(
  ctx: PhaseContext,
  opts: {
    orders: ServiceProcess;
    inventory: ServiceProcess;
    inventoryEnv: Record<string, string>;
    orderDbUrl: string;
    backlog: number;
    logDir: string;
    root: string;
  },
): Promise<{ result: { orders: number; seconds: number; ordersPerSec: number }; inventory: ServiceProcess }> {
  await opts.inventory.stop();
  const bar = progress('backlog');
  let placed = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: ctx.connections }, async () => {
      while (next < opts.backlog) {
        const i = next++;
        const res = await postJson(`${opts.orders.url}/api/orders`, ctx.orderBody(i));
        if (res.status !== 201) throw new Error(`POST failed with ${res.status} during the backlog phase`);
        placed += 1;
        if (placed % 250 === 0) bar.update(`${placed}/${opts.backlog} accepted`);
      }
    }),
  );
  const client = new MongoClient(opts.orderDbUrl);
  await client.connect();
  try {
    const ordersCollection = client.db().collection('orders');
    const pending = () => ordersCollection.countDocuments({ status: 'PENDING' });
    bar.update(`${placed} accepted, ${await pending()} pending; starting inventoryservice`);
    const restarted = await launchService('inventoryservice', {
      port: opts.inventory.port,
      env: opts.inventoryEnv,
      logFile: path.join(opts.logDir, 'inventoryservice.log'),
      root: opts.root,
    });
    const t0 = performance.now();
    let left = await pending();
    while (left > 0) {
      await new Promise((r) => setTimeout(r, 25));
      left = await pending();
      bar.update(`${opts.backlog - left}/${opts.backlog} terminal`);
    }
    const seconds = (performance.now() - t0) / 1000;
    const result = { orders: opts.backlog, seconds: Math.round(seconds * 1000) / 1000, ordersPerSec: Math.round(opts.backlog / seconds) };
    bar.done(`${result.orders} orders terminal ${result.seconds} s after inventoryservice was ready: ${result.ordersPerSec} orders/s`);
    return { result, inventory: restarted };
  } finally {
    await client.close();
  }
}

/**
 * Waits (up to 2 min) until the notification service has caught up — nothing PENDING and the count no
 * longer growing — and returns its records by status (every lifecycle event, email and SMS).
 */
export async function notificationsSettled(notificationDbUrl: string): Promise<Record<string, number>> {
  const client = new MongoClient(notificationDbUrl);
  await client.connect();
  try {
    const notificationsOf = client.db().collection('notifications');
    const bar = progress('notifications');
    let byStatus: Array<{ _id: string; n: number }> = [];
    const deadline = Date.now() + 120_000;
    for (let last = -1; ;) {
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
/** A process doing work of its own (H2 compacting its file, Kafka after the raw ceilings) is not at rest above this. */
const AT_REST_MS_PER_SEC = 100;

/**
 * Waits (at most 120 s) until a small write no longer sets the database and the broker to work of their
 * own: a probe insert, then their CPU over 2 s, until both stay under AT_REST_MS_PER_SEC. Seen without it:
 * mongo-java-server at rest (0 ms/s) until the first platform's warm-up wrote, then 340–660 ms/s for the
 * rest of that platform's phases (H2's maintenance of a file the raw ceilings had grown), so in a
 * `--compare` run the first checkout measured, whichever it was, held half the rate of the second.
 */
export async function stackAtRest(pids: { mongo?: number; kafka?: number }, scratchDbUrl: string): Promise<void> {
  const bar = progress('stack at rest');
  const client = new MongoClient(scratchDbUrl);
  await client.connect();
  try {
    const deadline = Date.now() + 120_000;
    for (let probe = 1; ; probe++) {
      await client
        .db()
        .collection('probe')
        .insertMany(Array.from({ length: 200 }, (_, i) => ({ probe, i, at: new Date() })));
      const meter = new CpuMeter({ mongo: pids.mongo, kafka: pids.kafka }).start();
      await new Promise((r) => setTimeout(r, 2_000));
      const used = meter.stop();
      const busy = Object.entries(used).map(([name, ms]) => `${name} ${(ms / 2).toFixed(0)}`);
      if (Object.values(used).every((ms) => ms / 2 < AT_REST_MS_PER_SEC))
        return bar.done(`ms CPU/s after a probe write: ${busy.join(', ')}`);
      if (Date.now() > deadline) return bar.done(`still busy after 120 s (ms CPU/s: ${busy.join(', ')}); going on`);
      bar.update(`ms CPU/s after probe ${probe}: ${busy.join(', ')}`);
    }
  } finally {
    await client.db().dropDatabase();
    await client.close();
  }
}

export async function waitUntilQuiet(orderDbUrl: string, notificationDbUrl: string): Promise<void> {
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

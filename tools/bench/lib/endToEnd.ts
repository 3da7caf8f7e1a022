import type { Collection, Document } from 'mongodb';
import { postJson } from '../../lib/http.js';
import { CpuMeter, perOrder } from './cpu.js';
import { progress } from './platform.js';
import { CounterMeter, scrape, total } from './serviceCounters.js';
import { percentile } from './stats.js';

/** The running platform as the end-to-end phases see it. */
export interface Platform {
  /** Every order-service instance: the arrivals go round them. */
  orderUrls: string[];
  /** Every notification-service instance: notifications sent are summed over them. */
  notificationUrls: string[];
  /** The order service's `orders` collection (read by _id only: never a scan). */
  orders: Collection<Document>;
  /** Processes whose CPU is counted per order: the three services, Kafka, the database, the load generator. */
  pids: Record<string, number | undefined>;
  /** Service name → base URL, for db_commands_total / kafka_requests_total on /metrics. */
  services: Record<string, string>;
  /** The POST body of the i-th order. */
  orderBody: (i: number) => unknown;
  /** Notifications each order should lead to (email + SMS for OrderPlaced and OrderConfirmed: 4). */
  notificationsPerOrder: number;
}

export interface SteppingOptions {
  startRate: number;
  maxRate: number;
  stepSeconds: number;
  /** Bisection steps between the highest rate held and the first one missed. */
  refine: number;
  /** A rate is held while the saga p99 (POST → CONFIRMED) and the notification lag stay within this. */
  limitMs: number;
  /** Longest wait for a step's orders and notifications to finish before the next step. */
  drainTimeoutMs: number;
  /** Orders placed (at 5/s, not measured) before the first step: consumer groups joined, code warm. */
  warmUpOrders: number;
  label: string;
}

export interface StepResult {
  rate: number;
  seconds: number;
  orders: number;
  outcomes: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  held: boolean;
  reason?: string;
  /** Time from the last POST until every order of the step was terminal and its notifications sent. */
  drainMs: number;
  cpuMsPerOrder: Record<string, number>;
  commandsPerOrder: Record<string, unknown>;
  kafkaRequestsPerOrder: Record<string, unknown>;
}

export interface IdleCost {
  seconds: number;
  /** CPU each process uses with no orders arriving (polls, heartbeats, fetch loops), ms per second. */
  cpuMsPerSec: Record<string, number>;
  commandsPerSec: Record<string, unknown>;
  kafkaRequestsPerSec: Record<string, unknown>;
}

export interface SteppingResult {
  ordersPerSec: number;
  /** What the platform costs at rest: part of every step's per-order figures (subtract ÷ rate for the marginal cost). */
  idle: IdleCost;
  limitMs: number;
  stepSeconds: number;
  steps: StepResult[];
  /** The step the per-order figures come from: the highest rate held (or the first step when none was). */
  measuredAt: StepResult;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let nextOrder = 0;

async function notificationsSent(urls: string[]): Promise<number> {
  const counts = await Promise.all(urls.map(async (url) => total(await scrape(url), 'notifications_total', { outcome: 'sent' })));
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * One open-loop step: orders arrive at `rate` for `seconds` whatever the platform does (no
 * coordinated omission). Each order's saga latency is POST sent → the CONFIRMED (or CANCELLED)
 * timeline entry the order service stored; notifications are checked as a lag: every order confirmed
 * more than `limitMs` ago must have its notifications sent (notifications_total on /metrics). The
 * step stops early once it has certainly failed (more than 1 % of the orders late, or an error).
 */
export async function runStep(p: Platform, rate: number, opts: SteppingOptions): Promise<StepResult> {
  const planned = Math.max(1, Math.round(rate * opts.stepSeconds));
  const bar = progress(`${opts.label} ${rate}/s`);
  const cpu = new CpuMeter(p.pids).start();
  const counters = await new CounterMeter(p.services).take();
  const sent0 = await notificationsSent(p.notificationUrls);
  const sentAt: number[] = [];
  const ids: Array<string | undefined> = [];
  const done = new Map<string, { at: number; status: string }>();
  let errors = 0;
  let firstError: string | undefined;
  let notificationsBehind = 0;
  let arrivalsOver = false;
  let stopArrivals = false;

  const late = (now: number): number => {
    let n = 0;
    for (let i = 0; i < sentAt.length; i++) {
      const id = ids[i];
      const end = id === undefined ? undefined : done.get(id)?.at;
      if ((end ?? now) - sentAt[i]! > opts.limitMs) n += 1;
    }
    return n;
  };

  const poll = async (): Promise<void> => {
    const open = ids.filter((id): id is string => id !== undefined && !done.has(id));
    for (let k = 0; k < open.length; k += 500) {
      const found = await p.orders
        .find({ _id: { $in: open.slice(k, k + 500) }, status: { $ne: 'PENDING' } } as Document, { projection: { status: 1, timeline: 1 } })
        .toArray();
      for (const doc of found) {
        const entry = (doc.timeline as Array<{ status: string; at: Date }>).find((t) => t.status === doc.status);
        done.set(doc._id as unknown as string, { at: (entry?.at ?? new Date()).getTime(), status: doc.status as string });
      }
    }
    const now = Date.now();
    const confirmedBefore = [...done.values()].filter((d) => d.status === 'CONFIRMED' && d.at <= now - opts.limitMs).length;
    const sent = (await notificationsSent(p.notificationUrls)) - sent0;
    notificationsBehind = sent < confirmedBefore * p.notificationsPerOrder ? notificationsBehind + 1 : 0;
  };

  const failedAlready = (): string | undefined => {
    if (errors > 0) return `${errors} POST errors (${firstError})`;
    if (late(Date.now()) > planned * 0.01) return `saga p99 over ${opts.limitMs} ms`;
    if (notificationsBehind >= 2) return `notifications more than ${opts.limitMs} ms behind`;
    return undefined;
  };

  const posts: Promise<void>[] = [];
  const started = performance.now();
  const arrivals = (async () => {
    for (let i = 0; i < planned && !stopArrivals; i++) {
      const wait = started + (i * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
      const n = nextOrder++;
      sentAt[i] = Date.now();
      posts.push(
        postJson<{ data?: { id?: string } }>(`${p.orderUrls[n % p.orderUrls.length]}/api/orders`, p.orderBody(n))
          .then(({ status, body }) => {
            if (status !== 201 || !body.data?.id) throw new Error(`POST answered ${status}`);
            ids[i] = body.data.id;
          })
          .catch((err: unknown) => {
            errors += 1;
            firstError ??= (err as Error).message;
          }),
      );
    }
    arrivalsOver = true;
  })();

  let reason: string | undefined;
  while (!arrivalsOver) {
    await sleep(500);
    await poll();
    reason ??= failedAlready();
    if (reason) stopArrivals = true;
    bar.update(`${sentAt.length}/${planned} placed, ${done.size} terminal${reason ? ` — missed: ${reason}` : ''}`);
  }
  await arrivals;
  const lastPost = Date.now();
  await Promise.all(posts);
  const placed = sentAt.length;
  const expectedSent = () => [...done.values()].filter((d) => d.status === 'CONFIRMED').length * p.notificationsPerOrder;
  for (;;) {
    await poll();
    const sent = (await notificationsSent(p.notificationUrls)) - sent0;
    const terminal = ids.filter((id) => id !== undefined && done.has(id)).length;
    if (terminal === placed - errors && sent >= expectedSent()) break;
    if (Date.now() - lastPost > opts.drainTimeoutMs) {
      reason ??= 'orders or notifications unfinished';
      throw new Error(
        `${opts.label} at ${rate}/s: ${placed - errors - terminal} orders not terminal or ${expectedSent() - sent} notifications unsent ${opts.drainTimeoutMs / 1000} s after the step`,
      );
    }
    bar.update(`draining: ${terminal}/${placed - errors} terminal, ${sent}/${expectedSent()} notifications sent`);
    await sleep(250);
  }
  const drainMs = Date.now() - lastPost;
  const latencies = sentAt.flatMap((t, i) => {
    const d = ids[i] === undefined ? undefined : done.get(ids[i]!);
    return d ? [d.at - t] : [];
  });
  const outcomes: Record<string, number> = {};
  for (const d of done.values()) outcomes[d.status] = (outcomes[d.status] ?? 0) + 1;
  if (errors > 0) outcomes.error = errors;
  const p99 = percentile(latencies, 99);
  reason ??= p99 > opts.limitMs ? `saga p99 over ${opts.limitMs} ms` : placed < planned ? 'stopped early' : undefined;
  const { commandsPerOrder, kafkaRequestsPerOrder } = await counters.perOrder(placed);
  const result: StepResult = {
    rate,
    seconds: opts.stepSeconds,
    orders: placed,
    outcomes,
    p50Ms: percentile(latencies, 50),
    p99Ms: p99,
    maxMs: percentile(latencies, 100),
    held: reason === undefined,
    ...(reason ? { reason } : {}),
    drainMs,
    cpuMsPerOrder: perOrder(cpu.stop(), placed),
    commandsPerOrder,
    kafkaRequestsPerOrder,
  };
  bar.done(
    `${result.held ? 'held' : `missed (${reason})`}: ${placed} orders, saga p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms; ` +
      `${result.cpuMsPerOrder.total} ms CPU and ${(commandsPerOrder.total as number | undefined) ?? '?'} db commands per order`,
  );
  return result;
}

/** Steps the arrival rate up (×2) until a step is missed, then bisects `refine` times: the highest rate held. */
export async function stepUp(p: Platform, opts: SteppingOptions): Promise<SteppingResult> {
  if (opts.warmUpOrders > 0) await runStep(p, 5, { ...opts, stepSeconds: opts.warmUpOrders / 5, label: `${opts.label} warm-up` });
  const idle = await idleCost(p, opts);
  const steps: StepResult[] = [];
  let held: StepResult | undefined;
  let missed: StepResult | undefined;
  for (let rate = opts.startRate; rate <= opts.maxRate; rate *= 2) {
    const step = await runStep(p, rate, opts);
    steps.push(step);
    if (!step.held) {
      missed = step;
      break;
    }
    held = step;
  }
  for (let k = 0; k < opts.refine && missed; k++) {
    const low = held?.rate ?? 0;
    const rate = Math.round((low + missed.rate) / 2);
    if (rate <= low || rate >= missed.rate) break;
    const step = await runStep(p, rate, opts);
    steps.push(step);
    if (step.held) held = step;
    else missed = step;
  }
  return {
    ordersPerSec: held?.rate ?? 0,
    idle,
    limitMs: opts.limitMs,
    stepSeconds: opts.stepSeconds,
    steps,
    measuredAt: held ?? steps[0]!,
  };
}

/** CPU, commands and Kafka requests per second while no order arrives (after the warm-up drained). */
async function idleCost(p: Platform, opts: SteppingOptions): Promise<IdleCost> {
  const seconds = Math.max(2, Math.min(5, opts.stepSeconds));
  const bar = progress(`${opts.label} idle`);
  bar.update(`${seconds} s without orders`);
  const cpu = new CpuMeter(p.pids).start();
  const counters = await new CounterMeter(p.services).take();
  const started = performance.now();
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - started) / 1000;
  // perOrder(n) divides by n: per second here.
  const { commandsPerOrder, kafkaRequestsPerOrder } = await counters.perOrder(elapsed);
  const cpuMsPerSec = perOrder(cpu.stop(), elapsed);
  bar.done(
    `${cpuMsPerSec.total} ms CPU/s at rest (${Object.entries(cpuMsPerSec)
      .filter(([k]) => k !== 'total')
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}), ${(commandsPerOrder.total as number | undefined) ?? '?'} db commands/s`,
  );
  return {
    seconds: Math.round(elapsed * 10) / 10,
    cpuMsPerSec,
    commandsPerSec: commandsPerOrder,
    kafkaRequestsPerSec: kafkaRequestsPerOrder,
  };
}

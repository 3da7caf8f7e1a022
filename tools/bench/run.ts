/**
 * npm run bench — measures the platform on this machine (SPEC §10) and writes
 * results/bench-<time>.json, results/latest.json and results/latest.svg.
 *
 *   --connections N      concurrency for the API phases and the raw ceilings (default 32)
 *   --duration S         seconds per throughput phase (default 10)
 *   --rate R             saga-latency arrival rate, orders/s (default 100)
 *   --saga-orders N      orders in the saga-latency phase (default 1000)
 *   --backlog N          orders accepted while inventoryservice is stopped (default 3000)
 *   --floor-orders N     orders through the floor program (default 10000)
 *   --step-seconds S     length of each end-to-end arrival step (default 10)
 *   --history N          orders seeded before the data-growth run (default 200000)
 *   --history-all        seed every collection the platform writes (also processed-event records and
 *                        the mock providers' delivery log), not only orders, reservations, notifications
 *   --mongo-backend B    h2 | memory: run the database privately with that backend on a free port
 *                        (the shared stack is never restarted); recorded as mongoBackend
 *   --compare REF        also measure another commit (git worktree) in the same run: both reported, with ratios
 *   --base-first         with --compare: measure the other commit first (by default this checkout goes first).
 *                        The side measured first has met a busier broker and database in some runs: run
 *                        the comparison both ways before trusting a ratio of less than ~1.5
 *   --tracing            the services record OpenTelemetry traces (OTEL_* set) and export them over
 *                        OTLP/HTTP to a sink in this process, to measure what tracing costs
 *   --brokers 1|3        3: Kafka is a private three-broker cluster on free ports (topics with 3 replicas,
 *                        min.insync.replicas 2), started for this run and removed after it
 *   --instances N        N instances of each service (default 1; same databases and consumer groups);
 *                        end-to-end arrivals go round the order-service instances, CPU and counters
 *                        are reported per process (orderservice-2, …); the API and drain phases use instance 1
 *   --quick              short run for a smoke check (a few minutes; small counts, short steps)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { defaultStackOptions, kafkaNodeCount, mongoBackend as parseBackend, type MongoBackend } from '../../infra/local/lib/config.js';
import { privateStackOptions } from '../../infra/local/lib/privateStack.js';
import { startOtlpReceiver, type OtlpReceiver } from '../lib/otlpReceiver.js';
import { LocalStack } from '../../infra/local/lib/LocalStack.js';
import { backendOfCommandLine } from '../../infra/local/lib/mongoServer.js';
import { commandLine } from '../../infra/local/lib/processes.js';
import { freePort } from '../lib/serviceProcess.js';
import { helpFromHeader } from '../lib/usage.js';
import {
  apiThroughput,
  backlogDrain,
  notificationsSettled,
  sagaLatency,
  stackAtRest,
  waitUntilQuiet,
  type PhaseContext,
} from './lib/apiPhases.js';
import { kafkaCeiling, mongoCeilings } from './lib/ceilings.js';
import { renderChart } from './lib/chart.js';
import { checkoutRef, type Checkout } from './lib/compareCheckout.js';
import { pidListeningOn } from './lib/cpu.js';
import { runStep, stepUp, type Platform, type StepResult, type SteppingOptions, type SteppingResult } from './lib/endToEnd.js';
import { readTemplate, seedHistory } from './lib/history.js';
import { postJson } from '../lib/http.js';
import { progress, ROOT } from './lib/platform.js';
import { dbUrlOn, startPlatform, type RunningPlatform } from './lib/platformRun.js';
import { printSummary } from './lib/summary.js';
import { scrape, total } from './lib/serviceCounters.js';

helpFromHeader(import.meta.url);
const { values } = parseArgs({
  options: {
    connections: { type: 'string' },
    duration: { type: 'string' },
    rate: { type: 'string' },
    'saga-orders': { type: 'string' },
    backlog: { type: 'string' },
    'floor-orders': { type: 'string' },
    'step-seconds': { type: 'string' },
    history: { type: 'string' },
    'history-all': { type: 'boolean', default: false },
    'mongo-backend': { type: 'string' },
    compare: { type: 'string' },
    'base-first': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    tracing: { type: 'boolean', default: false },
    brokers: { type: 'string', default: '1' },
    instances: { type: 'string', default: '1' },
  },
});
const quick = values.quick;
// --quick shortens what is not given explicitly.
const num = (given: string | undefined, full: number, short: number) => (given !== undefined ? Number(given) : quick ? short : full);
const C = num(values.connections, 32, 32);
const DURATION = num(values.duration, 10, 3);
const RATE = num(values.rate, 100, 100);
const SAGA_ORDERS = num(values['saga-orders'], 1000, 200);
const BACKLOG = num(values.backlog, 3000, 500);
const FLOOR_ORDERS = num(values['floor-orders'], 10000, 2000);
const HISTORY = num(values.history, 200_000, 5_000);
const STEPPING: Omit<SteppingOptions, 'label'> = {
  startRate: 10,
  maxRate: 5120,
  stepSeconds: num(values['step-seconds'], 10, 3),
  refine: quick ? 1 : 2,
  limitMs: 1000,
  drainTimeoutMs: 300_000,
  warmUpOrders: quick ? 10 : 50,
};
const BROKERS = kafkaNodeCount(values.brokers);
const INSTANCES = Number(values.instances);
if (!Number.isInteger(INSTANCES) || INSTANCES < 1 || INSTANCES > 4)
  throw new Error(`--instances must be 1 to 4 (got ${JSON.stringify(values.instances)})`);
const BACKEND: MongoBackend | undefined = values['mongo-backend'] === undefined ? undefined : parseBackend(values['mongo-backend']);
const ADMIN = { 'x-api-key': 'bench-admin-key-0123456789' };
const RUN = `bench-${Date.now().toString(36)}`;
const LOG_DIR = path.join(ROOT, '.cache', 'logs', RUN);
const PRODUCTS = Array.from({ length: 10 }, (_, i) => `b${i + 1}`);
const NOTIFICATIONS_PER_ORDER = 4; // email + SMS for OrderPlaced and OrderConfirmed
// Each order carries contact details like a shop's checkout would, so every lifecycle event is also
// notified by email and SMS (the mock providers) while the benchmark runs.
const orderBody = (i: number) => ({
  customerId: `bench-${i % 100}`,
  customer: { email: `bench-${i % 100}@example.com`, phone: `+1415555${String(i % 100).padStart(4, '0')}` },
  items: [{ productId: PRODUCTS[i % PRODUCTS.length]!, quantity: 1, price: 19.99 }],
});
const phaseContext: PhaseContext = { connections: C, orderBody };

const section = (title: string) => console.log(`\n== ${title}`);
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : null);

/** What is cleaned up however the run ends (also on Ctrl-C). */
const cleanups: Array<() => Promise<void> | void> = [];
async function cleanUp(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) {
    try {
      await step();
    } catch (err) {
      console.error(`  cleanup: ${(err as Error).message}`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}; stopping what it started`);
    void cleanUp().finally(() => process.exit(130));
  });
}

interface Stack {
  kafkaBrokers: string;
  serverUrl: string;
  mongoBackend: string;
  pids: { kafka?: number; mongo?: number };
}

interface Target {
  key: string;
  label: string;
  root: string;
}

async function main(): Promise<void> {
  console.log(
    `Benchmark ${RUN}: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ` +
      `concurrency ${C}, ${DURATION}s phases, ${STEPPING.stepSeconds}s steps, history ${HISTORY}${quick ? ' (quick)' : ''}`,
  );
  try {
    const stack = await bringUpStack();
    if (values.tracing) {
      traceSink = await startOtlpReceiver();
      const sink = traceSink;
      cleanups.push(() => sink.close());
    }
    let checkout: Checkout | undefined;
    if (values.compare) {
      section(`Compare: checking out ${values.compare}`);
      checkout = checkoutRef(ROOT, values.compare, (l) => console.log(`  ${l}`));
      const remove = checkout.remove;
      cleanups.push(() => remove());
    }
    const report: Record<string, unknown> = {
      run: RUN,
      at: new Date().toISOString(),
      machine: {
        cores: os.cpus().length,
        cpu: os.cpus()[0]?.model,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
      },
      settings: {
        connections: C,
        durationS: DURATION,
        sagaRate: RATE,
        sagaOrders: SAGA_ORDERS,
        backlog: BACKLOG,
        floorOrders: FLOOR_ORDERS,
        stepSeconds: STEPPING.stepSeconds,
        history: HISTORY,
        historyAll: values['history-all'],
        quick,
        tracing: values.tracing,
        kafkaBrokers: BROKERS,
        instances: INSTANCES,
        logLevel: process.env.BENCH_LOG_LEVEL ?? 'warn',
        ...(checkout ? { compare: values.compare, measuredFirst: values['base-first'] ? 'base' : 'this' } : {}),
      },
      mongoBackend: stack.mongoBackend,
    };

    section(`Raw ceilings at concurrency ${C}`);
    const mongo = await mongoCeilings(
      dbUrlOn(stack.serverUrl, `${RUN}_raw`.replaceAll('-', '_')),
      { concurrency: C, seconds: DURATION },
      pidListeningOn(Number(new URL(stack.serverUrl).port || 27017)),
    );
    report.mongoInsertCeiling = mongo.insertOne;
    report.mongoInsertManyCeiling = mongo.insertMany;
    report.mongoBulkWriteCeiling = mongo.bulkWrite;
    report.kafkaProduceCeiling = await kafkaCeiling(stack.kafkaBrokers, `${RUN}-raw`, { concurrency: C, seconds: DURATION });

    section(`Floor: ${FLOOR_ORDERS} orders' durable work with bulk driver calls and kafkajs batches, one process`);
    const floor = await runFloor(stack);
    report.floor = floor;

    const targets: Target[] = [{ key: 'this', label: 'this checkout', root: ROOT }];
    if (checkout) {
      const base: Target = { key: 'base', label: `${values.compare} (${checkout.commit.slice(0, 10)})`, root: checkout.root };
      if (values['base-first']) targets.unshift(base);
      else targets.push(base);
    }
    await primeStack(targets[0]!, stack);
    const measured: Record<string, PlatformFigures> = {};
    for (const target of targets)
      measured[target.key] = await measurePlatform(target, stack, floor.ordersPerSec, (mongo.insertOne as { opsPerSec: number }).opsPerSec);
    Object.assign(report, measured.this);
    if (checkout) {
      const base = measured.base!;
      const mine = measured.this!;
      report.compare = {
        ref: values.compare,
        commit: checkout.commit,
        subject: checkout.subject,
        ...base,
        // this checkout ÷ the compared commit: above 1 is more orders/s (or more CPU, commands, latency).
        ratios: {
          endToEnd: ratio(mine.endToEnd.ordersPerSec, base.endToEnd.ordersPerSec),
          backlogDrain: ratio(mine.backlogDrain.ordersPerSec, base.backlogDrain.ordersPerSec),
          ordersApi: ratio(mine.ordersApi.requestsPerSec, base.ordersApi.requestsPerSec),
          sagaLatencyP50: ratio(mine.sagaLatency.p50Ms, base.sagaLatency.p50Ms),
          sagaLatencyP99: ratio(mine.sagaLatency.p99Ms, base.sagaLatency.p99Ms),
          ordersApiAtHalfP99: ratio(mine.ordersApiAtHalf.p99Ms, base.ordersApiAtHalf.p99Ms),
          dataGrowthGrown: ratio(mine.dataGrowth.grownOrdersPerSec, base.dataGrowth.grownOrdersPerSec),
          cpuMsPerOrder: ratio(mine.cpuMsPerOrder.total ?? 0, base.cpuMsPerOrder.total ?? 0),
          ...sameRate(mine.endToEnd.steps, base.endToEnd.steps),
          commandsPerOrder: ratio(
            (mine.commandsPerOrder.total as number | undefined) ?? 0,
            (base.commandsPerOrder.total as number | undefined) ?? 0,
          ),
        },
      };
    }

    const outDir = path.join(ROOT, 'results');
    mkdirSync(outDir, { recursive: true });
    const json = `${JSON.stringify(report, null, 2)}\n`;
    writeFileSync(path.join(outDir, `${RUN}.json`), json);
    writeFileSync(path.join(outDir, 'latest.json'), json);
    writeFileSync(path.join(outDir, 'latest.svg'), renderChart(report));
    section('Summary');
    printSummary(report);
    console.log(`\nReport: results/${RUN}.json (also results/latest.json), chart: results/latest.svg`);
  } finally {
    section('Stopping');
    await cleanUp();
  }
}

/**
 * The shared stack (or KAFKA_BROKERS / DB_URL) as the other tools use it; with --mongo-backend, a
 * private database with that backend on a free port instead, stopped and removed after the run.
 */
async function bringUpStack(): Promise<Stack> {
  section('Local stack');
  const log = (l: string) => console.log(`  ${l}`);
  let clusterBrokers: string | undefined;
  if (BROKERS === 3) {
    const clusterDir = mkdtempSync(path.join(os.tmpdir(), `${RUN}-kafka-`));
    const cluster = new LocalStack(await privateStackOptions(clusterDir, { kafkaNodes: 3 }), { dbUrl: 'mongodb://unused' }, (l) =>
      log(`cluster ${l}`),
    );
    cleanups.push(() => cluster.down().then(() => rmSync(clusterDir, { recursive: true, force: true })));
    clusterBrokers = (await cluster.up()).kafkaBrokers;
  }
  const shared = new LocalStack(
    defaultStackOptions(),
    { kafkaBrokers: clusterBrokers ?? process.env.KAFKA_BROKERS, dbUrl: BACKEND ? 'mongodb://private' : process.env.DB_URL },
    log,
  );
  const up = await shared.up();
  if (up.started.length > 0) cleanups.push(() => shared.down(up.started).then(() => undefined));
  let serverUrl = up.dbUrl;
  if (BACKEND) {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'bench-mongo-'));
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const opts = { ...defaultStackOptions(), stateDir, mongoPort: await freePort(), mongoBackend: BACKEND };
    const own = new LocalStack(opts, { kafkaBrokers: up.kafkaBrokers }, (l) => log(`private ${l}`));
    cleanups.push(() => own.down().then(() => undefined));
    serverUrl = (await own.up()).dbUrl;
  }
  const portOf = (address: string) => Number(address.split(',')[0]!.split(':').at(-1));
  const mongoPid = pidListeningOn(new URL(serverUrl).port ? Number(new URL(serverUrl).port) : 27017);
  const kafkaPid = pidListeningOn(portOf(up.kafkaBrokers));
  const cmd = mongoPid === undefined ? undefined : commandLine(mongoPid);
  const mongoBackend = BACKEND ?? (cmd === undefined ? 'unknown' : (backendOfCommandLine(cmd) ?? 'external'));
  log(`database: ${serverUrl} (${mongoBackend} backend, pid ${mongoPid ?? '?'}), Kafka: ${up.kafkaBrokers} (pid ${kafkaPid ?? '?'})`);
  if (mongoPid === undefined || kafkaPid === undefined) log('a process was not found on its port: its CPU per order is left out');
  return { kafkaBrokers: up.kafkaBrokers, serverUrl, mongoBackend, pids: { kafka: kafkaPid, mongo: mongoPid } };
}

async function runFloor(stack: Stack): Promise<Record<string, unknown> & { ordersPerSec: number }> {
  const pids = Object.entries(stack.pids)
    .filter(([, pid]) => pid !== undefined)
    .map(([name, pid]) => `${name}=${pid}`)
    .join(',');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(ROOT, 'tools', 'bench', 'floor.ts'),
      '--orders',
      String(FLOOR_ORDERS),
      '--run',
      `${RUN}-floor`,
      '--cpu-pids',
      pids,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, KAFKA_BROKERS: stack.kafkaBrokers, DB_URL: stack.serverUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the floor program exited with ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown> & { ordersPerSec: number };
}

/**
 * Per-order figures depend on the rate (the platform's idle cost is spread over fewer orders at low
 * rates, batches are smaller): compared at the highest rate both commits held.
 */
function sameRate(mine: StepResult[], base: StepResult[]): Record<string, unknown> {
  const rate = Math.max(0, ...mine.filter((s) => s.held && base.some((b) => b.held && b.rate === s.rate)).map((s) => s.rate));
  const a = mine.find((s) => s.held && s.rate === rate);
  const b = base.find((s) => s.held && s.rate === rate);
  if (!a || !b) return {};
  const totalOf = (x: Record<string, unknown>) => (typeof x.total === 'number' ? x.total : 0);
  return {
    atSameRate: {
      rate,
      cpuMsPerOrder: ratio(a.cpuMsPerOrder.total ?? 0, b.cpuMsPerOrder.total ?? 0),
      commandsPerOrder: ratio(totalOf(a.commandsPerOrder), totalOf(b.commandsPerOrder)),
      kafkaRequestsPerOrder: ratio(totalOf(a.kafkaRequestsPerOrder), totalOf(b.kafkaRequestsPerOrder)),
    },
  };
}

type ApiFigures = Awaited<ReturnType<typeof apiThroughput>>;

interface PlatformFigures {
  endToEnd: Omit<SteppingResult, 'measuredAt'> & { ratioToFloor: number | null };
  cpuMsPerOrder: Record<string, number>;
  commandsPerOrder: Record<string, unknown>;
  kafkaRequestsPerOrder: Record<string, unknown>;
  ordersApi: ApiFigures;
  ordersApiAtHalf: ApiFigures;
  ratioToInsertCeiling: number | null;
  sagaLatency: Awaited<ReturnType<typeof sagaLatency>>;
  backlogDrain: { orders: number; seconds: number; ordersPerSec: number };
  notifications: Record<string, number>;
  dataGrowth: Record<string, unknown> & { grownOrdersPerSec: number };
}

/** With --tracing: a collector stand-in that accepts every export and keeps nothing, so only the services' side is measured. */
let traceSink: OtlpReceiver | undefined;

function baseEnv(stack: Stack): Record<string, string> {
  return {
    ...(traceSink ? { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: traceSink.url } : {}),
    KAFKA_BROKERS: stack.kafkaBrokers,
    ADMIN_API_KEY: ADMIN['x-api-key'],
    RATE_LIMIT_MAX: '1000000000',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    SEED_CATALOG: 'false',
  };
}

async function launch(target: Target, stack: Stack, prefix: string): Promise<RunningPlatform> {
  const platform = await startPlatform({
    root: target.root,
    prefix,
    serverUrl: stack.serverUrl,
    env: baseEnv(stack),
    logDir: path.join(LOG_DIR, prefix),
    products: PRODUCTS,
    adminHeaders: ADMIN,
    instances: INSTANCES,
  });
  const stopServices = platform.stop.bind(platform);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopServices();
  };
  cleanups.push(stop);
  console.log(
    `  ${INSTANCES > 1 ? `${INSTANCES} instances of each of the` : 'the'} three services of ${target.label} up (logs in ${path.relative(ROOT, path.join(LOG_DIR, prefix))}), ${PRODUCTS.length} products stocked`,
  );
  return Object.assign(platform, { stop });
}

function viewOf(platform: RunningPlatform, stack: Stack): Platform {
  return {
    orderUrls: platform.orderUrls(),
    notificationUrls: platform.notificationUrls(),
    orders: platform.db('orders').collection('orders'),
    pids: { ...platform.pids(), kafka: stack.pids.kafka, mongo: stack.pids.mongo, loadGenerator: process.pid },
    services: platform.services(),
    orderBody,
    notificationsPerOrder: NOTIFICATIONS_PER_ORDER,
  };
}

/** Orders through the primer platform: enough for the JVMs to compile the platform's paths. */
const PRIME_ORDERS = quick ? 150 : 300;

/**
 * Sends orders through one checkout's platform, unmeasured, before any is measured. The database's and the
 * broker's JVMs compile the code the platform's requests take (updates, unique-index checks, group
 * coordination) the first time it is hot, whichever checkout comes first: without this the first one
 * measured met them busy (mongo-java-server 340–660 ms CPU/s at rest against 3–17 for the second) and held
 * a third to a half of the second's rate — seen with the same commit on both sides (`--compare HEAD`).
 */
async function primeStack(target: Target, stack: Stack): Promise<void> {
  section(`Priming the stack: ${PRIME_ORDERS} orders through ${target.label}, not measured`);
  const platform = await launch(target, stack, `${RUN}-prime`);
  try {
    await runStep(viewOf(platform, stack), 20, { ...STEPPING, stepSeconds: PRIME_ORDERS / 20, label: 'prime' });
    // The orders API at full concurrency: the hottest paths of the database's and the broker's JVMs.
    await apiThroughput(platform.orders.url, phaseContext, { duration: DURATION, label: 'prime' });
    await waitUntilQuiet(platform.dbUrls.orders, platform.dbUrls.notifications);
  } finally {
    await platform.stop();
  }
  await stackAtRest(stack.pids, dbUrlOn(stack.serverUrl, `${RUN}_settle`.replaceAll('-', '_')));
}

/** Every platform phase for one checkout: fresh services, databases and topics on the same stack. */
async function measurePlatform(target: Target, stack: Stack, floorOrdersPerSec: number, insertCeiling: number): Promise<PlatformFigures> {
  section(`${target.label}: services`);
  const platform = await launch(target, stack, `${RUN}-${target.key}`);
  let figures: Omit<PlatformFigures, 'dataGrowth'>;
  try {
    section(
      `${target.label}: end to end (POST → CONFIRMED, notifications sent), arrival rate stepped up from ${STEPPING.startRate}/s until the saga p99 passes ${STEPPING.limitMs} ms`,
    );
    await stackAtRest(stack.pids, dbUrlOn(stack.serverUrl, `${RUN}_settle`.replaceAll('-', '_')));
    const stepping = await stepUp(viewOf(platform, stack), { ...STEPPING, label: 'end to end' });
    const { measuredAt, ...endToEnd } = stepping;
    console.log(`  held ${endToEnd.ordersPerSec} orders/s (${ratio(endToEnd.ordersPerSec, floorOrdersPerSec) ?? '?'} of the floor)`);

    section(`${target.label}: orders API, POST /api/orders at concurrency ${C}`);
    const ordersApi = await apiThroughput(platform.orders.url, phaseContext, { duration: DURATION });
    const halfRate = Math.max(1, Math.floor(ordersApi.requestsPerSec / 2));
    const ordersApiAtHalf = await apiThroughput(platform.orders.url, phaseContext, {
      duration: DURATION,
      overallRate: halfRate,
      label: `at half the maximum (${halfRate} req/s)`,
    });

    // Each phase starts on a quiet system: the sagas of the API phase's orders finish first.
    await waitUntilQuiet(platform.dbUrls.orders, platform.dbUrls.notifications);
    section(`${target.label}: saga latency, POST → CONFIRMED (long-poll), ${SAGA_ORDERS} orders at ${RATE}/s`);
    const saga = await sagaLatency(platform.orders.url, phaseContext, { rate: RATE, orders: SAGA_ORDERS });

    await waitUntilQuiet(platform.dbUrls.orders, platform.dbUrls.notifications);
    section(`${target.label}: backlog drain, ${BACKLOG} orders accepted while inventoryservice is stopped`);
    // The drain measures one inventory instance catching up: the others would consume the backlog meanwhile.
    await Promise.all(platform.extra.filter((s) => s.name === 'inventoryservice').map((s) => s.stop()));
    const drained = await backlogDrain(phaseContext, {
      orders: platform.orders,
      inventory: platform.inventory,
      inventoryEnv: platform.envOf('inventoryservice'),
      orderDbUrl: platform.dbUrls.orders,
      backlog: BACKLOG,
      logDir: path.join(LOG_DIR, `${RUN}-${target.key}`),
      root: target.root,
    });
    platform.replaceInventory(drained.inventory);
    const notifications = await notificationsSettled(platform.dbUrls.notifications);
    console.log(`  notifications recorded during the run: ${JSON.stringify(notifications)}`);
    figures = {
      endToEnd: { ...endToEnd, ratioToFloor: ratio(endToEnd.ordersPerSec, floorOrdersPerSec) },
      cpuMsPerOrder: { atRate: measuredAt.rate, ...measuredAt.cpuMsPerOrder },
      commandsPerOrder: { atRate: measuredAt.rate, ...measuredAt.commandsPerOrder },
      kafkaRequestsPerOrder: { atRate: measuredAt.rate, ...measuredAt.kafkaRequestsPerOrder },
      ordersApi,
      ordersApiAtHalf,
      ratioToInsertCeiling: ratio(ordersApi.requestsPerSec, insertCeiling),
      sagaLatency: saga,
      backlogDrain: drained.result,
      notifications,
    };
  } finally {
    await platform.stop();
  }
  const dataGrowth = await measureGrowth(target, stack, figures.endToEnd.ordersPerSec);
  return { ...figures, dataGrowth };
}

/** The same stepping on fresh services whose databases already hold HISTORY orders (seeded, not placed). */
async function measureGrowth(target: Target, stack: Stack, emptyOrdersPerSec: number): Promise<PlatformFigures['dataGrowth']> {
  section(`${target.label}: data growth, ${HISTORY} orders of history seeded with bulk inserts, then the same stepping`);
  const platform = await launch(target, stack, `${RUN}-${target.key}-grown`);
  try {
    const orderId = await placeTemplateOrder(platform);
    const collections = values['history-all'] ? undefined : ['orders', 'reservations', 'notifications'];
    const template = await readTemplate(
      orderId,
      [platform.db('orders'), platform.db('inventory'), platform.db('notifications')],
      collections,
    );
    console.log(
      `  template order ${orderId}: ${template.documents.map((g) => `${g.docs.length} in ${g.db.databaseName.split('_').at(-1)}.${g.collection}`).join(', ')}, ` +
        `${template.holds.length} product hold(s)`,
    );
    const seed = await seedHistory(template, HISTORY);
    await stackAtRest(stack.pids, dbUrlOn(stack.serverUrl, `${RUN}_settle`.replaceAll('-', '_')));
    const grown = await stepUp(viewOf(platform, stack), { ...STEPPING, label: 'with history' });
    const { measuredAt, ...stepping } = grown;
    const out = {
      history: HISTORY,
      seed,
      emptyOrdersPerSec,
      grownOrdersPerSec: grown.ordersPerSec,
      ratio: ratio(grown.ordersPerSec, emptyOrdersPerSec),
      cpuMsPerOrder: { atRate: measuredAt.rate, ...measuredAt.cpuMsPerOrder },
      commandsPerOrder: { atRate: measuredAt.rate, ...measuredAt.commandsPerOrder },
      idle: stepping.idle,
      steps: stepping.steps,
    };
    console.log(
      `  with ${HISTORY} orders stored: ${out.grownOrdersPerSec} orders/s held vs ${emptyOrdersPerSec} on empty databases (ratio ${out.ratio ?? '?'})`,
    );
    return out;
  } finally {
    await platform.stop();
    // The history would stay in the shared database file, slowing everything after.
    const client = new MongoClient(stack.serverUrl);
    await client.connect();
    for (const url of Object.values(platform.dbUrls)) await client.db(new URL(url).pathname.slice(1)).dropDatabase();
    await client.close();
  }
}

/** One real order through the platform: confirmed, notified, its outbox entries published. */
async function placeTemplateOrder(platform: RunningPlatform): Promise<string> {
  const bar = progress('template order');
  const placed = await postJson(`${platform.orders.url}/api/orders`, orderBody(0));
  if (placed.status !== 201) throw new Error(`the template order was refused: ${placed.status} ${JSON.stringify(placed.body)}`);
  const orderId = placed.body.data.id as string;
  const deadline = Date.now() + 120_000;
  const orders = platform.db('orders').collection('orders');
  const reservations = platform.db('inventory').collection('reservations');
  for (;;) {
    const order = await orders.findOne({ _id: orderId as never });
    const reservation = await reservations.findOne({ _id: orderId as never });
    const sent = total(await scrape(platform.notifications.url), 'notifications_total', { outcome: 'sent' });
    const published = (doc: typeof order) => doc !== null && ((doc.outbox as unknown[] | undefined) ?? []).length === 0;
    if (order?.status === 'CONFIRMED' && published(order) && published(reservation) && sent >= NOTIFICATIONS_PER_ORDER) break;
    if (Date.now() > deadline)
      throw new Error(`the template order ${orderId} did not finish within 120 s (status ${order?.status}, ${sent} notifications sent)`);
    bar.update(`${order?.status ?? 'not stored'}, ${sent} notifications sent`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // The consumers record the events as processed right after their handlers.
  await new Promise((r) => setTimeout(r, 1_000));
  bar.done(`${orderId} confirmed and notified`);
  return orderId;
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.stack : String(err)}`);
    await cleanUp();
    // Whatever a failed phase left open (sockets, timers) must not keep the run alive.
    process.exit(1);
  },
);

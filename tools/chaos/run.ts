/**
 * npm run chaos — fault injection against the whole platform (SPEC §5/§6), loopback only.
 *
 * Starts a private Kafka (one broker, or a three-node cluster) + MongoDB-compatible server (own state
 * folder, free ports) and the three services (one or several instances of each) as processes on fresh
 * databases and topics, drives an open-loop order load with customer
 * cancels, admin ships/deliveries and restocks, and meanwhile, one at a time with recovery in between:
 * SIGKILLs and restarts each service, stops and starts the broker, pauses (SIGSTOP) and restarts the
 * database, freezes an inventory consumer past its session timeout beside a standby, posts a burst of
 * maximum-size orders while the broker is down, and injects poison messages.
 * Then it waits (bounded) until the system is quiet and checks every invariant in the databases and
 * DLTs, plus each fault's own verdicts (recovery, no rebalance storm, prompt 503s, …). Prints PASS/FAIL
 * per check, writes results/chaos-latest.json, exits 1 on any violation (2 when the run itself could
 * not be carried out). Always stops (and resumes) what it started, also on Ctrl-C.
 *
 * With several instances (issue 12) the load spreads orders over the order-service instances and
 * re-sends a request one instance does not answer to the other, with the same Idempotency-Key; the
 * kills hit instance 1 while the others serve; the PENDING sweepers run on a short timeout so they
 * race; and four more checks judge it: 0 failed orders, 0 duplicates per key, every long-poll
 * answered with the decided state, no order cancelled twice.
 *
 *   --quick             short load (≈15 s plus the faults' own time), for the test suite
 *   --instances N       instances of each service, each on its own port (default 1)
 *   --brokers 1|3       Kafka brokers of the private stack (default 1; 3: replication factor 3, min ISR 2)
 *   --pending-timeout S with several instances, the order services' PENDING timeout (default 45)
 *   --faults A,B        which faults (default all the stack can take; --quick: the kills, the broker restart,
 *                       db-pause; --quick --brokers 3: kill-orderservice and leader-kill):
 *                       kill-orderservice, kill-inventoryservice, kill-notificationservice, broker-restart (every
 *                       broker), leader-kill and broker-stop-long (--brokers 3), db-pause, db-restart,
 *                       consumer-freeze, oversize-burst
 *   --duration S        seconds of load (default 90; the load lasts at least until every fault recovered)
 *   --rate R            orders per second (default 20; 10 with --quick)
 *   --settle-timeout S  longest wait for the system to settle after the load (default 180; 120 with --quick)
 *   --db-pause S        how long db-pause keeps the database stopped (default 30; 10 with --quick)
 *   --burst-orders N    maximum-size orders oversize-burst posts while the broker is down (default 400)
 *   --seed N            reproducible order mix
 *   --report FILE       where to write the JSON report (default results/chaos-latest.json)
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { ChaosStack } from './ChaosStack.js';
import { runChecks, type CheckResult } from './checks.js';
import { faultChecks } from './faultChecks.js';
import { runFaults, type FaultRecord } from './faults.js';
import { request } from '../lib/http.js';
import { instanceChecks } from './instanceChecks.js';
import { LoadGenerator } from './LoadGenerator.js';
import { Observer, type GroupSubscription } from './Observer.js';
import { parseOptions } from './options.js';
import type { PoisonRecord } from './poison.js';
import { printSummary, writeReport } from './report.js';
import { describeRequests } from './requestFigures.js';
import { SERVICE_NAMES, ServiceRunner, type Instance, type ServiceName } from './ServiceRunner.js';
import { waitUntilQuiet, type SettleResult } from './settle.js';
import { helpFromHeader } from '../lib/usage.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
helpFromHeader(import.meta.url);
const options = parseOptions(process.argv.slice(2), ROOT);
const RUN = `chaos-${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const LOG_DIR = path.join(ROOT, '.cache', 'logs', RUN);
const STATE_DIR = path.join(ROOT, '.cache', 'local-stack', RUN);
const ADMIN_KEY = 'chaos-admin-key-0123456789';
const ORDER_TOPIC = `${RUN}.order-events`;
const INVENTORY_TOPIC = `${RUN}.inventory-events`;
const PRODUCTS = Array.from({ length: options.products }, (_, i) => `p${i + 1}`);
const RESTOCK_EVERY_MS = options.quick ? 5_000 : 10_000;
const EXPECTED_FAULTS = options.faults.length;
const EXPECTED_POISON = 2;
const SEVERAL = options.instances > 1;
/**
 * Several instances: orders still PENDING after --pending-timeout (45 s) are cancelled (TIMEOUT) by
 * sweeps every second on every order-service instance, so the sweepers race on the orders a fault holds
 * up (the services' default, 5 min, is longer than any fault). Not shorter: on this 2-core machine a
 * SIGKILLed member's partitions wait out its 10 s session timeout plus a rebalance, sagas then took
 * 20-35 s, and a 20 s timeout cancelled half the orders and doubled the event traffic it waited for.
 */
const PENDING_TIMEOUT_MS = options.pendingTimeoutS * 1000;
const SWEEP_INTERVAL_MS = 1_000;
const groupOf = (name: ServiceName) => `${RUN}.${name}`;
const GROUPS: GroupSubscription[] = [
  { groupId: groupOf('orderservice'), topic: INVENTORY_TOPIC },
  { groupId: groupOf('inventoryservice'), topic: ORDER_TOPIC },
  { groupId: groupOf('notificationservice'), topic: ORDER_TOPIC },
];

const startedAt = Date.now();
const since = () => `${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)}s`;
const log = (line: string) => console.log(`[${since()}] ${line}`);
const section = (title: string) => console.log(`\n== ${title}`);

let stack: ChaosStack | undefined;
let services: ServiceRunner | undefined;
let observer: Observer | undefined;
let aborted = false;
let tornDown: Promise<void> | undefined;

/** Stops the services, then the private stack; safe to call twice (Ctrl-C during the normal teardown). */
function teardown(): Promise<void> {
  tornDown ??= (async () => {
    await observer?.close().catch(() => undefined);
    await services?.stopAll().catch((err: unknown) => log(`stopping services failed: ${String(err)}`));
    await stack?.destroy(LOG_DIR).catch((err: unknown) => log(`stopping the private stack failed: ${String(err)}`));
  })();
  return tornDown;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (aborted) return;
    aborted = true;
    log(`${signal}: stopping everything this run started`);
    void teardown().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  const durations: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    try {
      return await work();
    } finally {
      durations[name] = Math.round((Date.now() - t) / 100) / 10;
    }
  };
  const shape = `${options.instances} instance${SEVERAL ? 's' : ''} of each service, ${options.brokers} broker${options.brokers > 1 ? 's' : ''}`;
  console.log(
    `Chaos run ${RUN}: ${options.quick ? 'quick, ' : ''}${shape}, ${options.durationS} s load at ${options.rate} orders/s, seed ${options.seed}; faults ${options.faults.join(', ')}; logs in ${path.relative(ROOT, LOG_DIR)}`,
  );

  section(`Private stack (Kafka${options.brokers > 1 ? `, ${options.brokers} brokers,` : ''} + MongoDB-compatible server on free ports)`);
  const chaosStack = await ChaosStack.create(STATE_DIR, (line) => log(`stack: ${line}`), options.brokers);
  stack = chaosStack;
  await timed('stackUpS', () => chaosStack.up());
  if (aborted) return 130;

  section('Services');
  const dbUrls = {
    orders: chaosStack.dbUrl(`${RUN}_orderdb`.replaceAll('-', '_')),
    inventory: chaosStack.dbUrl(`${RUN}_inventorydb`.replaceAll('-', '_')),
    notifications: chaosStack.dbUrl(`${RUN}_notificationdb`.replaceAll('-', '_')),
  };
  const dbOf: Record<ServiceName, string> = {
    orderservice: dbUrls.orders,
    inventoryservice: dbUrls.inventory,
    notificationservice: dbUrls.notifications,
  };
  const runner = new ServiceRunner(LOG_DIR, {}, (name) => ({
    DB_URL: dbOf[name],
    KAFKA_BROKERS: chaosStack.kafkaBrokers,
    ORDER_EVENTS_TOPIC: ORDER_TOPIC,
    INVENTORY_EVENTS_TOPIC: INVENTORY_TOPIC,
    CONSUMER_GROUP_ID: groupOf(name),
    ADMIN_API_KEY: ADMIN_KEY,
    SEED_CATALOG: 'false',
    SEED_DEMO_CONTACTS: 'false',
    RATE_LIMIT_MAX: '1000000000',
    LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'info',
    ...(SEVERAL
      ? { ORDER_PENDING_TIMEOUT_MS: String(PENDING_TIMEOUT_MS), ORDER_TIMEOUT_SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS) }
      : {}),
  }));
  await runner.allocatePorts(options.instances);
  services = runner;
  const everyInstance: Instance[] = SERVICE_NAMES.flatMap((name) => runner.instances(name));
  await timed('servicesUpS', () => Promise.all(everyInstance.map((instance) => runner.start(instance))));
  for (const instance of everyInstance) log(`${instance} ready on ${runner.url(instance)}`);
  for (const productId of PRODUCTS) {
    const res = await request(
      'PUT',
      `${runner.url('inventoryservice')}/api/inventory/${productId}`,
      { name: `Chaos ${productId}`, available: options.stockPerProduct },
      { 'x-api-key': ADMIN_KEY },
    );
    if (res.kind !== 'response' || res.status >= 300) throw new Error(`stocking ${productId} failed: ${JSON.stringify(res)}`);
  }
  log(`${PRODUCTS.length} products × ${options.stockPerProduct} units stocked`);
  if (aborted) return 130;

  const kafka = new Kafka({
    clientId: RUN,
    brokers: chaosStack.kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
  const watcher = await Observer.connect(dbUrls, kafka);
  observer = watcher;

  section(`Load (${options.rate} orders/s, open loop) with faults, one at a time`);
  const load = new LoadGenerator({
    ordersUrls: runner.instances('orderservice').map((instance) => runner.url(instance)),
    inventoryUrls: runner.instances('inventoryservice').map((instance) => runner.url(instance)),
    ...(SEVERAL ? { idempotencyKeyPrefix: RUN } : {}),
    adminKey: ADMIN_KEY,
    products: PRODUCTS,
    rate: options.rate,
    seed: options.seed,
    // A safety bound only: the load normally stops once the faults are done and the duration is over.
    maxOrders: Math.ceil(options.rate * Math.max(options.durationS * 2, 120 + 90 * options.faults.length)),
    restockEveryMs: RESTOCK_EVERY_MS,
    // About 60 % of the demand (≈ 3 units an order), so orders keep both confirming and failing for stock.
    restockUnits: Math.max(1, Math.round((options.rate * (RESTOCK_EVERY_MS / 1000) * 3 * 0.6) / PRODUCTS.length)),
  });
  const faults: FaultRecord[] = [];
  const poison: PoisonRecord[] = [];
  let faultsDone = false;
  let faultError: unknown;
  const loadStartedAt = Date.now();
  const ticker = setInterval(() => {
    const c = load.counters;
    log(
      `load: ${c.orders.sent} orders sent, ${load.accepted.length} accepted, ${c.orders.failed} failed, ${refusedTotal(c.orders.refused)} refused; faults ${faults.length}/${EXPECTED_FAULTS}`,
    );
  }, 3_000);
  const faultRun = runFaults(
    {
      selected: options.faults,
      stack: chaosStack,
      services: runner,
      observer: watcher,
      kafka,
      orderTopic: ORDER_TOPIC,
      leaderTopics: [ORDER_TOPIC, INVENTORY_TOPIC, `${ORDER_TOPIC}.DLT`, `${INVENTORY_TOPIC}.DLT`, '__consumer_offsets'],
      coordinatorGroup: groupOf('inventoryservice'),
      groups: GROUPS,
      ordersUrl: runner.url('orderservice'),
      inventoryUrl: runner.url('inventoryservice'),
      adminKey: ADMIN_KEY,
      samples: () => load.samples,
      accept: (id) => load.accepted.push(id),
      gapMs: options.faultGapS * 1000,
      dbPauseMs: options.dbPauseS * 1000,
      burstOrders: options.burstOrders,
      loadStartedAt: () => loadStartedAt,
      log,
      aborted: () => aborted || faultError !== undefined,
    },
    faults,
    poison,
  )
    .catch((err: unknown) => {
      faultError = err;
      log(`fault injection failed: ${err instanceof Error ? err.message : String(err)}`);
    })
    .finally(() => {
      faultsDone = true;
    });
  await timed('loadS', async () => {
    await load.run(() => aborted || faultError !== undefined || (faultsDone && Date.now() - loadStartedAt >= options.durationS * 1000));
    await faultRun;
  });
  clearInterval(ticker);
  const c = load.counters;
  log(
    `load done: ${c.orders.sent} orders sent, ${load.accepted.length} accepted (201), ${c.orders.failed} failed, refused ${JSON.stringify(c.orders.refused)}`,
  );
  if (aborted) return 130;
  if (faultError !== undefined) throw faultError;

  section('Settling');
  const settle: SettleResult = await timed('settleS', () => waitUntilQuiet(observer!, GROUPS, options.settleTimeoutS * 1000, log));
  log(settle.summary);

  section('Checks');
  const checks: CheckResult[] = await timed('checksS', async () => [
    ...(await runChecks({
      observer: observer!,
      kafka,
      accepted: load.accepted,
      faults,
      expectedFaults: EXPECTED_FAULTS,
      poison,
      expectedPoison: EXPECTED_POISON,
      settled: settle.settled,
      settleSummary: settle.summary,
      orderTopic: ORDER_TOPIC,
      inventoryTopic: INVENTORY_TOPIC,
      orderTopicGroups: [groupOf('inventoryservice'), groupOf('notificationservice')],
    })),
    ...(SEVERAL
      ? await instanceChecks({
          observer: observer!,
          kafka,
          orderTopic: ORDER_TOPIC,
          orders: load.counters.orders,
          failover: load.failover,
          keysSent: load.keysSent,
          acceptedByKey: load.acceptedByKey,
          longPolls: load.longPolls,
          poison,
        })
      : []),
    ...faultChecks(faults, options.instances),
  ]);

  section('Teardown');
  await timed('teardownS', teardown);
  durations.totalS = Math.round((Date.now() - startedAt) / 100) / 10;

  const passed = checks.every((check) => check.pass);
  printSummary(checks, [
    ['run', `${RUN} (seed ${options.seed}), logs ${path.relative(ROOT, LOG_DIR)}`],
    [
      'orders',
      `${c.orders.sent} sent, ${load.accepted.length} accepted (201, burst included), ${c.orders.failed} failed (no answer; ${c.orders.timedOut} of them client timeouts), refused ${JSON.stringify(c.orders.refused)}`,
    ],
    ...(SEVERAL ? [['failover', failoverFigures(load)] as [string, string]] : []),
    ...(options.brokers > 1 ? [['leader changes', leaderFigures(faults)] as [string, string]] : []),
    [
      'follow-ups',
      `cancels ${c.cancels.ok}/${c.cancels.sent} ok, ships ${c.ships.ok}/${c.ships.sent}, deliveries ${c.deliveries.ok}/${c.deliveries.sent}, restocks ${c.restocks.ok}/${c.restocks.sent}`,
    ],
    ...faults.flatMap(faultFigures),
    ...poison.map((p): [string, string] => ['poison', `${p.eventType} ${p.eventId}`]),
    ['settle', settle.summary],
    [
      'durations',
      Object.entries(durations)
        .map(([k, v]) => `${k.replace(/S$/, '')} ${v}s`)
        .join(', '),
    ],
  ]);
  writeReport(options.reportPath, {
    run: RUN,
    at: new Date().toISOString(),
    passed,
    options,
    durationsS: durations,
    load: {
      accepted: load.accepted.length,
      ...load.counters,
      ...(SEVERAL ? { failover: load.failover, longPolls: load.longPolls.length } : {}),
    },
    leaderChanges: faults.reduce((s, f) => s + Number(f.details.leaderChanges ?? 0) + Number(f.details.leaderChangesOnReturn ?? 0), 0),
    faults,
    poison,
    settle: { settled: settle.settled, waitedMs: settle.waitedMs, summary: settle.summary },
    checks,
    logDir: path.relative(ROOT, LOG_DIR),
  });
  console.log(`\nReport: ${path.relative(ROOT, options.reportPath)}`);
  return passed ? 0 : 1;
}

/** A fault's lines in the summary: what it was, what clients saw, group joins, recovery. */
function faultFigures(f: FaultRecord): Array<[string, string]> {
  const saga =
    f.sagaRecoveredAfterMs === null
      ? 'no new saga within the wait'
      : `first new saga ${(f.sagaRecoveredAfterMs / 1000).toFixed(1)} s after it ended`;
  return [
    [`fault @${f.atS}s`, `${f.fault}: ${f.title}`],
    ['  recovery', `every process ready ${(f.recoveredAfterMs / 1000).toFixed(1)} s after the fault began, ${saga}`],
    ['  orders', describeRequests(f.requests.orders)],
    ['  all requests', describeRequests(f.requests.all)],
    [
      '  group joins',
      Object.entries(f.groupJoins)
        .map(([instance, n]) => `${instance} ${n}`)
        .join(', '),
    ],
    ...(Object.keys(f.details).length > 0 ? [['  details', JSON.stringify(f.details)] as [string, string]] : []),
  ];
}

/** Requests re-sent to another instance because the first did not answer, by kind. */
function failoverFigures(load: LoadGenerator): string {
  const f = load.failover;
  const kinds = Object.entries(f.retried)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  return `re-sent to another instance: ${kinds} (${f.ordersReplayed} orders answered 200 Idempotent-Replayed); long-polls asked again ${f.longPollsRepeated}×`;
}

/** Partition leaders that moved, per broker fault (watched: the run's topics, their DLTs, __consumer_offsets). */
function leaderFigures(faults: FaultRecord[]): string {
  const broker = faults.filter((f) => f.details.leaderChanges !== undefined);
  if (broker.length === 0) return 'no single-broker fault in this run';
  return broker
    .map(
      (f) =>
        `${f.fault} (${String(f.details.broker)}): ${String(f.details.leaderChanges)} while down, ${String(f.details.leaderChangesOnReturn)} on return`,
    )
    .join('; ');
}

const refusedTotal = (refused: Record<string, number>) => Object.values(refused).reduce((s, n) => s + n, 0);

main()
  .then(async (code) => {
    if (aborted) return; // the signal handler tears down and exits
    await teardown();
    process.exit(code);
  })
  .catch(async (err: unknown) => {
    if (aborted) return;
    console.error(`\nChaos run could not be carried out: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await teardown();
    writeReport(options.reportPath, {
      run: RUN,
      at: new Date().toISOString(),
      passed: false,
      error: err instanceof Error ? err.message : String(err),
      logDir: path.relative(ROOT, LOG_DIR),
    });
    process.exit(2);
  });

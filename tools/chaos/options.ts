import path from 'node:path';
import { parseArgs } from 'node:util';
import { kafkaNodeCount, type KafkaNodeCount } from '../../infra/local/lib/config.js';
import { CLUSTER_FAULTS, FAULT_NAMES, type FaultName } from './faults.js';

export interface ChaosOptions {
  quick: boolean;
  /** Seconds of order load; the load goes on past it until every fault has been injected and recovered. */
  durationS: number;
  /** Orders per second (open loop). */
  rate: number;
  /** Longest wait, after the load, for every order to settle and the system to go quiet. */
  settleTimeoutS: number;
  /** Pause between two faults, so each recovery is seen under load before the next fault. */
  faultGapS: number;
  products: number;
  stockPerProduct: number;
  seed: number;
  reportPath: string;
  /** The faults to inject, in the run's fixed order. */
  faults: FaultName[];
  /** How long the database stays paused (db-pause). */
  dbPauseS: number;
  /** Maximum-size orders posted while the broker is down (oversize-burst). */
  burstOrders: number;
  /** Instances of each service (`--instances`), each on its own port; 1: one process per service. */
  instances: number;
  /** Kafka nodes of the private stack (`--brokers`): one broker, or a three-node cluster. */
  brokers: KafkaNodeCount;
  /** Several instances: ORDER_PENDING_TIMEOUT_MS of the order services, in seconds (`--pending-timeout`), so the sweepers race. */
  pendingTimeoutS: number;
}

/** The quick form (npm test): the crashes, the broker restart and a short database pause. */
const QUICK_FAULTS: FaultName[] = ['kill-orderservice', 'kill-inventoryservice', 'kill-notificationservice', 'broker-restart', 'db-pause'];
/** The quick form on a cluster (npm test's second chaos run): one order-service instance killed beside the other, one leader kill. */
const QUICK_CLUSTER_FAULTS: FaultName[] = ['kill-orderservice', 'leader-kill'];
/**
 * The full run with several instances on a cluster (issue: scale-out proven under faults): one instance of
 * each service killed beside its twin, the busiest leader killed, one broker stopped past the session
 * timeout. The single-process faults (database, burst, freeze) stay selectable with --faults.
 */
const SCALE_OUT_FAULTS: FaultName[] = [
  'kill-orderservice',
  'kill-inventoryservice',
  'kill-notificationservice',
  'leader-kill',
  'broker-stop-long',
];
const MAX_INSTANCES = 4;

const USAGE =
  `npm run chaos -- [--quick] [--faults ${FAULT_NAMES.join(',')}] [--duration S] [--rate R] [--settle-timeout S] ` +
  `[--db-pause S] [--burst-orders N] [--instances N] [--brokers 1|3] [--pending-timeout S] [--seed N] [--report FILE]`;

function faultList(value: string | undefined, fallback: FaultName[], brokers: KafkaNodeCount): FaultName[] {
  if (value === undefined) return fallback;
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n.length > 0);
  const unknown = names.filter((n) => !(FAULT_NAMES as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0)
    throw new Error(`--faults: unknown fault ${JSON.stringify(unknown.join(','))}; choose from ${FAULT_NAMES.join(', ')}; usage: ${USAGE}`);
  const needCluster = names.filter((n) => brokers === 1 && (CLUSTER_FAULTS as readonly string[]).includes(n));
  if (needCluster.length > 0) throw new Error(`--faults ${needCluster.join(',')}: needs a cluster (--brokers 3); usage: ${USAGE}`);
  return FAULT_NAMES.filter((n) => names.includes(n));
}

/** Every fault the stack can take: the cluster-only ones (a leader kill, one broker stopped long) need three brokers. */
function allFaults(brokers: KafkaNodeCount): FaultName[] {
  return FAULT_NAMES.filter((n) => brokers === 3 || !(CLUSTER_FAULTS as readonly string[]).includes(n));
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number (got ${JSON.stringify(value)}); usage: ${USAGE}`);
  return n;
}

export function parseOptions(argv: string[], root: string): ChaosOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      rate: { type: 'string' },
      'settle-timeout': { type: 'string' },
      seed: { type: 'string' },
      report: { type: 'string' },
      faults: { type: 'string' },
      'db-pause': { type: 'string' },
      'burst-orders': { type: 'string' },
      instances: { type: 'string' },
      brokers: { type: 'string' },
      'pending-timeout': { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  const instances = Math.floor(positive('instances', values.instances, 1));
  if (instances > MAX_INSTANCES) throw new Error(`--instances must be at most ${MAX_INSTANCES} (got ${instances}); usage: ${USAGE}`);
  const brokers = kafkaNodeCount(values.brokers);
  const quickFaults = brokers === 3 ? QUICK_CLUSTER_FAULTS : QUICK_FAULTS;
  const fullFaults = brokers === 3 && instances > 1 ? SCALE_OUT_FAULTS : allFaults(brokers);
  return {
    quick,
    durationS: positive('duration', values.duration, quick ? 15 : 90),
    // Quick runs share a 2-core machine with the rest of the test suite: a lighter load keeps the settle bounded.
    // Several instances on three brokers are ~10 processes on 2 cores: 20 orders/s outran them (lag grew to
    // 47,000 messages in a 20-minute run), so that form defaults to 10.
    rate: positive('rate', values.rate, quick || instances > 1 ? 10 : 20),
    settleTimeoutS: positive('settle-timeout', values['settle-timeout'], quick ? 120 : 180),
    faultGapS: quick ? 1.5 : 10,
    products: 5,
    stockPerProduct: 200,
    seed: Math.floor(positive('seed', values.seed, Date.now() % 1_000_000)),
    reportPath: path.resolve(values.report ?? path.join(root, 'results', 'chaos-latest.json')),
    faults: faultList(values.faults, quick ? quickFaults : fullFaults, brokers),
    // The quick form pauses the database for a shorter time than the full run's 30 s, to keep npm test short.
    dbPauseS: positive('db-pause', values['db-pause'], quick ? 10 : 30),
    burstOrders: Math.floor(positive('burst-orders', values['burst-orders'], 400)),
    instances,
    brokers,
    pendingTimeoutS: positive('pending-timeout', values['pending-timeout'], 45),
  };
}

import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const INFRA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(INFRA_DIR, '..', '..');

/** Kafka nodes a stack can run: one (broker and controller in one JVM) or a quorum of three such nodes. */
export const KAFKA_NODE_COUNTS = [1, 3] as const;
export type KafkaNodeCount = (typeof KAFKA_NODE_COUNTS)[number];

/** The client and controller listener of one Kafka node. */
export interface KafkaNodePorts {
  port: number;
  controllerPort: number;
}
/** mongo-java-server's storage: `h2` (one file, the durable default) or `memory` (nothing on disk; benchmarks only). */
export const MONGO_BACKENDS = ['h2', 'memory'] as const;
export type MongoBackend = (typeof MONGO_BACKENDS)[number];

/** Where and on which ports one local stack lives. Tests start a second one on other ports. */
export interface StackOptions {
  /** Jars and compiled launcher; shared by every stack on the machine. */
  cacheDir: string;
  /** Data, logs and pid files of this stack. */
  stateDir: string;
  host: string;
  /** Node 1's client port; node n listens on kafkaPort + 2(n-1) unless kafkaNodePorts says otherwise. */
  kafkaPort: number;
  /** Node 1's controller port; node n's is kafkaControllerPort + 2(n-1). */
  kafkaControllerPort: number;
  /** 1 (the default) or 3 Kafka nodes. */
  kafkaNodes: KafkaNodeCount;
  /** Explicit ports per node (tests on free ports), instead of the ones derived from kafkaPort. */
  kafkaNodePorts?: KafkaNodePorts[];
  mongoPort: number;
  mongoBackend: MongoBackend;
  /** Max time for each component to accept clients. */
  readyTimeoutMs: number;
}

function port(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`invalid port ${JSON.stringify(value)}`);
  return n;
}

export function mongoBackend(value: string | undefined): MongoBackend {
  if (value === undefined || value === '') return 'h2';
  if (!(MONGO_BACKENDS as readonly string[]).includes(value))
    throw new Error(`invalid STACK_MONGO_BACKEND ${JSON.stringify(value)}: must be one of ${MONGO_BACKENDS.join(', ')}`);
  return value as MongoBackend;
}

export function kafkaNodeCount(value: string | undefined, fallback: KafkaNodeCount = 1): KafkaNodeCount {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  const count = KAFKA_NODE_COUNTS.find((c) => c === n);
  if (count === undefined)
    throw new Error(`invalid number of Kafka brokers ${JSON.stringify(value)}: must be ${KAFKA_NODE_COUNTS.join(' or ')}`);
  return count;
}

/**
 * The ports of each Kafka node: explicit, or derived in steps of two so the single node's pair
 * (9092, 9093) stays what it always was and a cluster takes 9092/9093, 9094/9095, 9096/9097.
 */
export function kafkaNodePorts(
  opts: Pick<StackOptions, 'kafkaPort' | 'kafkaControllerPort' | 'kafkaNodes' | 'kafkaNodePorts'>,
): KafkaNodePorts[] {
  const ports =
    opts.kafkaNodePorts ??
    Array.from({ length: opts.kafkaNodes }, (_, i) => ({ port: opts.kafkaPort + 2 * i, controllerPort: opts.kafkaControllerPort + 2 * i }));
  if (ports.length !== opts.kafkaNodes)
    throw new Error(`${opts.kafkaNodes} Kafka nodes need ${opts.kafkaNodes} port pairs, got ${ports.length}`);
  const all = ports.flatMap((p) => [p.port, p.controllerPort]);
  const clash = all.find((p, i) => all.indexOf(p) !== i);
  if (clash !== undefined)
    throw new Error(`Kafka port ${clash} is used twice; pick STACK_KAFKA_PORT and STACK_KAFKA_CONTROLLER_PORT further apart`);
  const outOfRange = all.find((p) => p > 65535);
  if (outOfRange !== undefined) throw new Error(`Kafka port ${outOfRange} is out of range`);
  return ports;
}

export function defaultStackOptions(env: NodeJS.ProcessEnv = process.env, overrides: { kafkaNodes?: KafkaNodeCount } = {}): StackOptions {
  const given = path.resolve(env.LOCAL_STACK_DIR ?? path.join(REPO_ROOT, '.cache', 'local-stack'));
  // The real path: a process's command line names it, and a pid file counts only when that line holds
  // the state folder. Through a symlinked cache (a git worktree sharing another checkout's) the two
  // spellings differed, the running stack looked foreign and status deleted its pid files.
  const cacheDir = existsSync(given) ? realpathSync(given) : given;
  return {
    cacheDir,
    stateDir: path.join(cacheDir, 'default'),
    host: '127.0.0.1',
    // Overridable so a second checkout (or CI beside a developer's stack) can run its own stack.
    kafkaPort: port(env.STACK_KAFKA_PORT, 9092),
    kafkaControllerPort: port(env.STACK_KAFKA_CONTROLLER_PORT, 9093),
    kafkaNodes: overrides.kafkaNodes ?? kafkaNodeCount(env.STACK_KAFKA_BROKERS),
    mongoPort: port(env.STACK_MONGO_PORT, 27017),
    // The durable H2 file unless asked otherwise: the memory backend loses everything when it stops.
    mongoBackend: mongoBackend(env.STACK_MONGO_BACKEND),
    readyTimeoutMs: 120_000,
  };
}

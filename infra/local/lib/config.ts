import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const INFRA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(INFRA_DIR, '..', '..');

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
  kafkaPort: number;
  kafkaControllerPort: number;
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
  if (!(MONGO_BACKENDS as readonly string[]).includes(value)) throw new Error(`invalid STACK_MONGO_BACKEND ${JSON.stringify(value)}: must be one of ${MONGO_BACKENDS.join(', ')}`);
  return value as MongoBackend;
}

export function defaultStackOptions(env: NodeJS.ProcessEnv = process.env): StackOptions {
  const cacheDir = path.resolve(env.LOCAL_STACK_DIR ?? path.join(REPO_ROOT, '.cache', 'local-stack'));
  return {
    cacheDir,
    stateDir: path.join(cacheDir, 'default'),
    host: '127.0.0.1',
    // Overridable so a second checkout (or CI beside a developer's stack) can run its own stack.
    kafkaPort: port(env.STACK_KAFKA_PORT, 9092),
    kafkaControllerPort: port(env.STACK_KAFKA_CONTROLLER_PORT, 9093),
    mongoPort: port(env.STACK_MONGO_PORT, 27017),
    // The durable H2 file unless asked otherwise: the memory backend loses everything when it stops.
    mongoBackend: mongoBackend(env.STACK_MONGO_BACKEND),
    readyTimeoutMs: 120_000,
  };
}

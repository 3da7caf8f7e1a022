import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dbUrlFor, kafkaBrokers } from './infra.js';
import { ADMIN_KEY } from './http.js';
import { freePort } from './privateStack.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export type ServiceName = 'orderservice' | 'inventoryservice' | 'notificationservice';

export interface RunningService {
  name: ServiceName;
  url: string;
  port: number;
  process: ChildProcess;
  /** Every log line the process wrote (JSON lines from pino). */
  logs: string[];
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

export interface ServiceOptions {
  /** Database name; give two instances the same one to make them one service. */
  dbName: string;
  env?: Record<string, string>;
  port?: number;
  readyTimeoutMs?: number;
  /** Wait for /health/ready (default) or only for /health/live (when a dependency is meant to be down). */
  waitFor?: 'ready' | 'live';
}

/**
 * Starts a service as a real process (`node --import tsx src/main.ts`, what `npm start` runs) against
 * the test stack, on a free port, and waits until /health/ready answers 200.
 */
export async function startService(name: ServiceName, opts: ServiceOptions): Promise<RunningService> {
  const port = opts.port ?? (await freePort());
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    DB_URL: dbUrlFor(opts.dbName),
    KAFKA_BROKERS: kafkaBrokers().join(','),
    LOG_LEVEL: 'info',
    ADMIN_API_KEY: ADMIN_KEY,
    // Isolated topics get an isolated consumer group too: a process killed by another test file
    // would otherwise linger in the shared default group until its session times out.
    ...(opts.env?.ORDER_EVENTS_TOPIC ? { CONSUMER_GROUP_ID: `${name}.${opts.env.ORDER_EVENTS_TOPIC}` } : {}),
    ...opts.env,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: path.join(REPO_ROOT, name), env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  const collect = (chunk: Buffer): void => {
    logs.push(...chunk.toString().split('\n').filter((l) => l.length > 0));
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const service: RunningService = {
    name,
    url,
    port,
    process: child,
    logs,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before it was ready:\n${logs.slice(-20).join('\n')}`);
    try {
      const res = await fetch(`${url}/health/${opts.waitFor ?? 'ready'}`);
      if (res.status === 200) return service;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await service.kill();
      throw new Error(`${name} not ready within ${opts.readyTimeoutMs ?? 60_000} ms:\n${logs.slice(-20).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Topic names private to one test file, so its services never see another file's events. */
export function isolatedTopicsEnv(prefix: string): Record<string, string> {
  return {
    ORDER_EVENTS_TOPIC: `${prefix}.order-events`,
    INVENTORY_EVENTS_TOPIC: `${prefix}.inventory-events`,
  };
}

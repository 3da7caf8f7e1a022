import { launchService, type ServiceName, type ServiceProcess } from '../../tools/lib/serviceProcess.js';
import { ADMIN_KEY } from './http.js';
import { dbUrlFor, kafkaBrokers } from './infra.js';

export type { ServiceName };

/** A service started by a test: the launcher's process handle (its output kept, line by line, in `logs`). */
export type RunningService = ServiceProcess;

export interface ServiceOptions {
  /** Database name; give two instances the same one to make them one service. */
  dbName: string;
  env?: Record<string, string>;
  port?: number;
  readyTimeoutMs?: number;
  /** Wait for /health/ready (default) or only for /health/live (when a dependency is meant to be down). */
  waitFor?: 'ready' | 'live';
}

/** Starts a service as a real process against the test stack, on a free port, and waits until it is ready. */
export async function startService(name: ServiceName, opts: ServiceOptions): Promise<RunningService> {
  const env = {
    NODE_ENV: 'test',
    DB_URL: dbUrlFor(opts.dbName),
    KAFKA_BROKERS: kafkaBrokers().join(','),
    LOG_LEVEL: 'info',
    ADMIN_API_KEY: ADMIN_KEY,
    // No demo contacts unless a test asks for them: tests choose their customers' contact data.
    SEED_DEMO_CONTACTS: 'false',
    // Isolated topics get an isolated consumer group too: a process killed by another test file
    // would otherwise linger in the shared default group until its session times out.
    ...(opts.env?.ORDER_EVENTS_TOPIC ? { CONSUMER_GROUP_ID: `${name}.${opts.env.ORDER_EVENTS_TOPIC}` } : {}),
    ...opts.env,
  };
  return launchService(name, { port: opts.port, env, waitFor: opts.waitFor, readyTimeoutMs: opts.readyTimeoutMs });
}

/** Topic names private to one test file, so its services never see another file's events. */
export function isolatedTopicsEnv(prefix: string): Record<string, string> {
  return {
    ORDER_EVENTS_TOPIC: `${prefix}.order-events`,
    INVENTORY_EVENTS_TOPIC: `${prefix}.inventory-events`,
  };
}

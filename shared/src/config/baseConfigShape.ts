import { z } from 'zod';
import { TOPICS } from '../contracts/topics.js';

/** What differs between services in the shared part of their configuration. */
export interface ServiceConfigDefaults {
  port: number;
  /** Default MongoDB database name, e.g. `orderdb`. */
  dbName: string;
  /** Used as the default Kafka client id. */
  serviceName: string;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Only ever used outside production; production must set its own key (SPEC §6). */
export const DEV_ADMIN_API_KEY = 'dev-admin-key-change-me';

export const MIN_PRODUCTION_ADMIN_KEY_LENGTH = 16;

/** The local stack's MongoDB-compatible server, with the given database. */
export function defaultDbUrl(dbName: string): string {
  return `mongodb://127.0.0.1:27017/${dbName}`;
}

const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$/;

/** An integer env var with one message for every way it can be wrong. */
const integer = (fallback: number, min: number, max: number, error: string) =>
  z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error }).default(fallback);

const optionalInteger = (min: number, max: number, error: string) =>
  z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error }).optional();

const positiveInt = (fallback: number) => integer(fallback, 1, Number.MAX_SAFE_INTEGER, 'must be a positive integer');

/** `NODE_ENV`: production turns on the production rules (secrets, customer callers). */
export const nodeEnv = () =>
  z.enum(['development', 'test', 'production'], { error: 'must be one of development, test, production' }).default('development');

/** The environment variables every service reads, with defaults matching the local stack (SPEC §8). */
export function baseConfigShape(defaults: ServiceConfigDefaults) {
  return {
    NODE_ENV: nodeEnv(),
    PORT: integer(defaults.port, 1, 65535, 'must be an integer between 1 and 65535'),
    // Loopback by default; containers set 0.0.0.0.
    HOST: z.string().min(1).default('127.0.0.1'),
    DB_URL: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\/\S+$/, { error: 'must be a mongodb:// or mongodb+srv:// URL' })
      .default(defaultDbUrl(defaults.dbName)),
    KAFKA_BROKERS: z
      .string()
      .default('127.0.0.1:9092')
      .transform((list) =>
        list
          .split(',')
          .map((broker) => broker.trim())
          .filter((broker) => broker.length > 0),
      )
      .pipe(
        z
          .array(z.string().regex(BROKER, { error: 'must be a comma-separated list of host:port' }))
          .min(1, { error: 'must list at least one host:port' }),
      ),
    // Longest wait for one database operation (driver-side, so a hung server cannot stall a request).
    DB_OPERATION_TIMEOUT_MS: integer(3_000, 100, 600_000, 'must be an integer between 100 and 600000'),
    KAFKA_CLIENT_ID: z.string().min(1).default(defaults.serviceName),
    ORDER_EVENTS_TOPIC: z.string().min(1).default(TOPICS.orderEvents),
    INVENTORY_EVENTS_TOPIC: z.string().min(1).default(TOPICS.inventoryEvents),
    KAFKA_TOPIC_PARTITIONS: integer(3, 1, 1000, 'must be an integer between 1 and 1000'),
    // Unset: the cluster's own defaults (default.replication.factor, min.insync.replicas): 1 and 1 on the
    // single-broker stack, 3 and 2 on the three-broker one and in the compose cluster profile.
    KAFKA_REPLICATION_FACTOR: optionalInteger(1, 10, 'must be an integer between 1 and 10'),
    KAFKA_MIN_INSYNC_REPLICAS: optionalInteger(1, 10, 'must be an integer between 1 and 10'),
    // Presence and length are checked in defineServiceConfig, where NODE_ENV is known.
    ADMIN_API_KEY: z.string({ error: 'is required when NODE_ENV=production' }),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    RATE_LIMIT_WINDOW_MS: positiveInt(60_000),
    RATE_LIMIT_MAX: positiveInt(1000),
    BODY_LIMIT: z
      .string()
      .regex(/^\d+\s*(b|kb|mb)$/i, { error: 'must be a size such as 64kb or 1mb' })
      .default('64kb'),
  };
}

export type BaseConfigShape = ReturnType<typeof baseConfigShape>;

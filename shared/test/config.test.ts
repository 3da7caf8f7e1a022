import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  customerAuthConfigShape,
  DEV_ADMIN_API_KEY,
  DEV_AUTH_JWT_SECRET,
  defineServiceConfig,
  loadConfig,
  loadConfigOrExit,
} from '../src/config/index.js';
import { z } from 'zod';

const orderConfigSchema = () =>
  defineServiceConfig(
    { PENDING_TIMEOUT_MS: z.coerce.number().int().positive().default(300_000) },
    { port: 3001, dbName: 'orderdb', serviceName: 'orderservice' },
  );

/** A service with customer-scoped routes (orderservice, notificationservice). */
const customerFacingSchema = () =>
  defineServiceConfig({ ...customerAuthConfigShape() }, { port: 3002, dbName: 'notificationdb', serviceName: 'notificationservice' });

const PRODUCTION_KEY = 'a-proper-production-key';
const PRODUCTION_SECRET = 'a-proper-production-jwt-secret-0123456789';

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('service configuration', () => {
  it('when the environment is empty, uses the local stack defaults and the service defaults', () => {
    // Arrange
    const schema = orderConfigSchema();

    // Act
    const config = loadConfig(schema, {});

    // Assert
    expect(config).toEqual({
      NODE_ENV: 'development',
      PORT: 3001,
      HOST: '127.0.0.1',
      DB_URL: 'mongodb://127.0.0.1:27017/orderdb',
      DB_OPERATION_TIMEOUT_MS: 3000,
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      KAFKA_CLIENT_ID: 'orderservice',
      ORDER_EVENTS_TOPIC: 'order-service.order-events',
      INVENTORY_EVENTS_TOPIC: 'inventory-service.inventory-events',
      KAFKA_TOPIC_PARTITIONS: 3,
      // Unset: topics take the cluster's default.replication.factor and min.insync.replicas.
      KAFKA_REPLICATION_FACTOR: undefined,
      KAFKA_MIN_INSYNC_REPLICAS: undefined,
      ADMIN_API_KEY: DEV_ADMIN_API_KEY,
      LOG_LEVEL: 'info',
      RATE_LIMIT_WINDOW_MS: 60_000,
      RATE_LIMIT_MAX: 1000,
      BODY_LIMIT: '64kb',
      PENDING_TIMEOUT_MS: 300_000,
    });
  });

  it('when each service passes its own database name, the default DB_URL points at that database', () => {
    const inventory = loadConfig(defineServiceConfig({}, { port: 3003, dbName: 'inventorydb', serviceName: 'inventoryservice' }), {});
    const notification = loadConfig(
      defineServiceConfig({}, { port: 3002, dbName: 'notificationdb', serviceName: 'notificationservice' }),
      {},
    );

    expect([inventory.DB_URL, inventory.PORT]).toEqual(['mongodb://127.0.0.1:27017/inventorydb', 3003]);
    expect([notification.DB_URL, notification.PORT]).toEqual(['mongodb://127.0.0.1:27017/notificationdb', 3002]);
  });

  it('when values are given as strings, coerces numbers and splits the broker list', () => {
    const config = loadConfig(orderConfigSchema(), {
      PORT: '4001',
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9093',
      RATE_LIMIT_MAX: '5',
      PENDING_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'debug',
    });

    expect(config.PORT).toBe(4001);
    expect(config.KAFKA_BROKERS).toEqual(['kafka-1:9092', 'kafka-2:9093']);
    expect(config.RATE_LIMIT_MAX).toBe(5);
    expect(config.PENDING_TIMEOUT_MS).toBe(1000);
    expect(config.LOG_LEVEL).toBe('debug');
  });

  it('when replication is set, uses it, and refuses more in-sync replicas than replicas', () => {
    const config = loadConfig(orderConfigSchema(), { KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' });
    expect([config.KAFKA_REPLICATION_FACTOR, config.KAFKA_MIN_INSYNC_REPLICAS]).toEqual([3, 2]);

    const error = configErrorOf(() => loadConfig(orderConfigSchema(), { KAFKA_REPLICATION_FACTOR: '1', KAFKA_MIN_INSYNC_REPLICAS: '2' }));
    expect(error.message).toContain('KAFKA_MIN_INSYNC_REPLICAS: must not exceed KAFKA_REPLICATION_FACTOR');
    expect(configErrorOf(() => loadConfig(orderConfigSchema(), { KAFKA_REPLICATION_FACTOR: '0' })).message).toContain(
      'KAFKA_REPLICATION_FACTOR: must be an integer between 1 and 10',
    );
  });

  it('when a variable is set to the empty string, treats it as unset', () => {
    const config = loadConfig(orderConfigSchema(), { PORT: '', LOG_LEVEL: '' });

    expect([config.PORT, config.LOG_LEVEL]).toEqual([3001, 'info']);
  });

  it('when several variables are bad, throws one line that names each of them', () => {
    const error = configErrorOf(() =>
      loadConfig(orderConfigSchema(), { PORT: 'abc', LOG_LEVEL: 'loud', KAFKA_BROKERS: 'nohost', DB_URL: 'postgres://x' }),
    );

    expect(error.message).not.toContain('\n');
    expect(error.message).toMatch(/^Invalid configuration: /);
    expect(error.message).toContain('PORT: must be an integer between 1 and 65535');
    expect(error.message).toContain('LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent');
    expect(error.message).toContain('KAFKA_BROKERS: must be a comma-separated list of host:port');
    expect(error.message).toContain('DB_URL: must be a mongodb:// or mongodb+srv:// URL');
    expect(error.problems.map((p) => p.variable).sort()).toEqual(['DB_URL', 'KAFKA_BROKERS', 'LOG_LEVEL', 'PORT']);
  });

  it('when NODE_ENV=production and ADMIN_API_KEY is missing, fails naming ADMIN_API_KEY', () => {
    const error = configErrorOf(() => loadConfig(orderConfigSchema(), { NODE_ENV: 'production' }));

    expect(error.message).toBe('Invalid configuration: ADMIN_API_KEY: is required when NODE_ENV=production');
  });

  it('when NODE_ENV=production and ADMIN_API_KEY is shorter than 16 characters, fails even alongside other bad variables', () => {
    const error = configErrorOf(() => loadConfig(orderConfigSchema(), { NODE_ENV: 'production', ADMIN_API_KEY: 'short-key', PORT: 'x' }));

    expect(error.message).toContain('ADMIN_API_KEY: must be at least 16 characters when NODE_ENV=production');
    expect(error.message).toContain('PORT: must be an integer between 1 and 65535');
    expect(error.message).not.toContain('short-key');
  });

  it('when NODE_ENV=production and ADMIN_API_KEY is long enough, uses it', () => {
    const config = loadConfig(orderConfigSchema(), { NODE_ENV: 'production', ADMIN_API_KEY: 'a-proper-production-key' });

    expect(config.ADMIN_API_KEY).toBe('a-proper-production-key');
  });

  it('when NODE_ENV=production and ADMIN_API_KEY is the published dev key, fails with one line that does not repeat it', () => {
    const error = configErrorOf(() => loadConfig(orderConfigSchema(), { NODE_ENV: 'production', ADMIN_API_KEY: DEV_ADMIN_API_KEY }));

    expect(error.message).toBe(
      'Invalid configuration: ADMIN_API_KEY: must not be the published dev value when NODE_ENV=production (generate one, e.g. openssl rand -hex 32)',
    );
    expect(error.message).not.toContain(DEV_ADMIN_API_KEY);
  });

  it('the published dev key is the one .env.example documents', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');

    expect(example).toMatch(new RegExp(`^ADMIN_API_KEY=${DEV_ADMIN_API_KEY}$`, 'm'));
    expect(example).toMatch(new RegExp(`^AUTH_JWT_SECRET=${DEV_AUTH_JWT_SECRET}$`, 'm'));
  });

  describe('customer bearer tokens (AUTH_JWT_*)', () => {
    it('outside production, an unset AUTH_JWT_SECRET falls back to the dev secret and issuer/audience stay unset', () => {
      const config = loadConfig(customerFacingSchema(), {});

      expect(config.AUTH_JWT_SECRET).toBe(DEV_AUTH_JWT_SECRET);
      expect(config).not.toHaveProperty('AUTH_JWT_ISSUER');
      expect(config).not.toHaveProperty('AUTH_JWT_AUDIENCE');
    });

    it.each([
      ['missing', undefined, 'AUTH_JWT_SECRET: is required when NODE_ENV=production'],
      ['shorter than 32 characters', 'x'.repeat(31), 'AUTH_JWT_SECRET: must be at least 32 characters when NODE_ENV=production'],
      ['the published dev secret', DEV_AUTH_JWT_SECRET, 'AUTH_JWT_SECRET: must not be the published dev value when NODE_ENV=production'],
    ])('when NODE_ENV=production and AUTH_JWT_SECRET is %s, fails with one line naming it', (_case, secret, problem) => {
      const env = { NODE_ENV: 'production', ADMIN_API_KEY: PRODUCTION_KEY, ...(secret === undefined ? {} : { AUTH_JWT_SECRET: secret }) };

      const error = configErrorOf(() => loadConfig(customerFacingSchema(), env));

      expect(error.message).not.toContain('\n');
      expect(error.message).toContain(problem);
      expect(error.problems.map((p) => p.variable)).toEqual(['AUTH_JWT_SECRET']);
    });

    it('when NODE_ENV=production, both the dev admin key and the dev secret are named in the one line', () => {
      const error = configErrorOf(() =>
        loadConfig(customerFacingSchema(), {
          NODE_ENV: 'production',
          ADMIN_API_KEY: DEV_ADMIN_API_KEY,
          AUTH_JWT_SECRET: DEV_AUTH_JWT_SECRET,
        }),
      );

      expect(error.problems.map((p) => p.variable).sort()).toEqual(['ADMIN_API_KEY', 'AUTH_JWT_SECRET']);
    });

    it('when NODE_ENV=production with a proper secret, issuer and audience, uses them', () => {
      const config = loadConfig(customerFacingSchema(), {
        NODE_ENV: 'production',
        ADMIN_API_KEY: PRODUCTION_KEY,
        AUTH_JWT_SECRET: PRODUCTION_SECRET,
        AUTH_JWT_ISSUER: 'https://shop.example',
        AUTH_JWT_AUDIENCE: 'order-platform',
      });

      expect([config.AUTH_JWT_SECRET, config.AUTH_JWT_ISSUER, config.AUTH_JWT_AUDIENCE]).toEqual([
        PRODUCTION_SECRET,
        'https://shop.example',
        'order-platform',
      ]);
    });

    it('a service without customer-scoped routes does not need AUTH_JWT_SECRET in production', () => {
      const config = loadConfig(orderConfigSchema(), { NODE_ENV: 'production', ADMIN_API_KEY: PRODUCTION_KEY });

      expect(config).not.toHaveProperty('AUTH_JWT_SECRET');
    });
  });

  it('when loadConfigOrExit meets bad config, prints the one line to stderr and exits 1', () => {
    const exit = vi.fn();
    const writeError = vi.fn();

    expect(() => loadConfigOrExit(orderConfigSchema(), { PORT: '70000' }, { exit, writeError })).toThrow(ConfigError);

    expect(exit).toHaveBeenCalledWith(1);
    expect(writeError).toHaveBeenCalledWith('Invalid configuration: PORT: must be an integer between 1 and 65535');
  });

  it('when loadConfigOrExit meets good config, returns it without exiting', () => {
    const exit = vi.fn();

    const config = loadConfigOrExit(orderConfigSchema(), { PORT: '3100' }, { exit, writeError: vi.fn() });

    expect(config.PORT).toBe(3100);
    expect(exit).not.toHaveBeenCalled();
  });
});

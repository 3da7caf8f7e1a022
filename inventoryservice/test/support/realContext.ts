import 'reflect-metadata';
import { createLogger } from '@orderplatform/shared/logging';
import { Outbox, type OutboxEntry, type OutboxRelay } from '@orderplatform/shared/outbox';
import { createInfrastructure } from '@orderplatform/shared/runtime';
import type { Model } from 'mongoose';
import type { DependencyContainer } from 'tsyringe';
import { dbUrlFor, kafkaBrokers, uniqueName } from '../../../test/support/infra.js';
import { ConfigSchema, type Config } from '../../src/config.js';
import { buildContainer } from '../../src/container.js';
import type { ProductDocument } from '../../src/repositories/models/ProductModel.js';
import type { ReservationDocument } from '../../src/repositories/models/ReservationModel.js';
import { TOKENS } from '../../src/tokens.js';

export const ADMIN_KEY = 'test-admin-key-0123456789';

/** A relay that is never started: events stay in the outbox array, where tests count them (sizes still checked like the real one). */
const inertRelay = (real: OutboxRelay): OutboxRelay =>
  ({ leaseMs: 10_000, owner: 'test', wake: () => undefined, assertPublishable: (entries: OutboxEntry[]) => real.assertPublishable(entries) }) as unknown as OutboxRelay;

export interface RealContext {
  container: DependencyContainer;
  config: Config;
  products: Model<ProductDocument>;
  reservations: Model<ReservationDocument>;
  /** The events written for an order, as the relay would find them. */
  outboxOf(orderId: string): Promise<OutboxEntry[]>;
  /** Closes the connection, dropping the database unless another context shares it. */
  close(opts?: { drop: boolean }): Promise<void>;
}

/**
 * The service's real container on its own database of the test stack (the same infrastructure
 * main.ts builds, including mongoose's sanitizeFilter), with Kafka left unstarted.
 */
export async function realContext(prefix: string, env: Record<string, string> = {}): Promise<RealContext> {
  const config = ConfigSchema.parse({
    NODE_ENV: 'test',
    DB_URL: dbUrlFor(uniqueName(prefix)),
    KAFKA_BROKERS: kafkaBrokers().join(','),
    ADMIN_API_KEY: ADMIN_KEY,
    SEED_CATALOG: 'false',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_MAX: '100000',
    ...env,
  });
  const logger = createLogger({ service: 'inventoryservice', level: config.LOG_LEVEL });
  const infra = createInfrastructure(config, logger, { produces: ['inventoryEvents'], consumes: ['orderEvents'] });
  const container = buildContainer(config, logger, { ...infra, outbox: new Outbox(inertRelay(infra.relay)) });
  await infra.connection.asPromise();
  const products = container.resolve<Model<ProductDocument>>(TOKENS.ProductModel);
  const reservations = container.resolve<Model<ReservationDocument>>(TOKENS.ReservationModel);
  await Promise.all([products.init(), reservations.init()]);
  return {
    container,
    config,
    products,
    reservations,
    async outboxOf(orderId) {
      return (await reservations.findById(orderId, { outbox: 1 }).lean())?.outbox ?? [];
    },
    async close({ drop } = { drop: true }) {
      if (drop) await infra.connection.dropDatabase();
      await infra.connection.close();
    },
  };
}

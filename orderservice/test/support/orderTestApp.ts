import 'reflect-metadata';
import { loadConfig } from '@orderplatform/shared/config';
import { TOPICS } from '@orderplatform/shared/contracts';
import { createLogger } from '@orderplatform/shared/logging';
import { Outbox } from '@orderplatform/shared/outbox';
import { createInfrastructure, type Infrastructure } from '@orderplatform/shared/runtime';
import type { Express } from 'express';
import type { Model } from 'mongoose';
import type { DependencyContainer } from 'tsyringe';
import { dbUrlFor, kafkaBrokers, uniqueName } from '../../../test/support/infra.js';
import { createApp } from '../../src/app.js';
import { ConfigSchema, type Config } from '../../src/config.js';
import { buildContainer } from '../../src/container.js';
import { orderModel, type OrderDocument } from '../../src/repositories/models/OrderModel.js';
import { TOKENS } from '../../src/tokens.js';

export const ADMIN_KEY = 'test-admin-key-0123456789';

/** Writes events into the documents like the real outbox but never wakes the relay: they stay there to be inspected. */
class HoldingOutbox extends Outbox {
  override committed(): void {}
}

export interface OrderTestApp {
  app: Express;
  container: DependencyContainer;
  infra: Infrastructure;
  config: Config;
  orders: Model<OrderDocument>;
  resolve<T>(token: symbol): T;
  close(): Promise<void>;
}

export interface OrderTestAppOptions {
  /** Connect Kafka, provision the (private) topics and run the outbox relay. Default true. */
  kafka?: boolean;
  /** Keep written events in the outbox instead of publishing them (implies no Kafka). */
  holdOutbox?: boolean;
  env?: Record<string, string>;
}

/**
 * The real app (createApp on the real container) against the real database and broker, with a private
 * database and private topics so test files never see each other's data.
 */
export async function startOrderTestApp(name: string, { kafka = true, holdOutbox = false, env = {} }: OrderTestAppOptions = {}): Promise<OrderTestApp> {
  const prefix = uniqueName(name);
  const config = loadConfig(ConfigSchema, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DB_URL: dbUrlFor(prefix),
    KAFKA_BROKERS: kafkaBrokers().join(','),
    ORDER_EVENTS_TOPIC: `${prefix}.order-events`,
    INVENTORY_EVENTS_TOPIC: `${prefix}.inventory-events`,
    ADMIN_API_KEY: ADMIN_KEY,
    RATE_LIMIT_MAX: '100000',
    ...env,
  });
  const logger = createLogger({ service: 'orderservice-test', level: 'silent' });
  const infra = createInfrastructure(config, logger, { produces: ['orderEvents'], consumes: ['inventoryEvents'] });
  const container = buildContainer(config, logger, infra).createChildContainer();
  if (holdOutbox) {
    container.register(TOKENS.Outbox, { useValue: new HoldingOutbox(infra.relay, { [TOPICS.orderEvents]: config.ORDER_EVENTS_TOPIC }) });
  }
  const orders = orderModel(infra.connection);
  await infra.connection.asPromise();
  await orders.init(); // the unique Idempotency-Key index must exist before the race tests
  if (kafka && !holdOutbox) {
    infra.relay.register(orders as unknown as Model<unknown>);
    await infra.kafka.start();
  }
  return {
    app: createApp(container),
    container,
    infra,
    config,
    orders,
    resolve: <T>(token: symbol) => container.resolve<T>(token),
    async close() {
      await infra.kafka.stop();
      await infra.connection.dropDatabase();
      await infra.connection.close();
    },
  };
}

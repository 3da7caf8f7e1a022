import 'reflect-metadata';
import { registerGracefulShutdown } from '@orderplatform/shared/lifecycle';
import { createLogger, redactUrlCredentials } from '@orderplatform/shared/logging';
import { closeHttpServer, createInfrastructure, startHttpServer } from '@orderplatform/shared/runtime';
import { createApp } from './app.js';
import { loadConfig, SERVICE_NAME } from './config.js';
import { buildContainer } from './container.js';
import type { OrderEventsHandler } from './events/OrderEventsHandler.js';
import { seedWhenReady } from './seedWhenReady.js';
import type { HoldReconciler } from './services/HoldReconciler.js';
import type { InventoryService } from './services/InventoryService.js';
import { TOKENS } from './tokens.js';

const config = loadConfig();
const logger = createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
const infra = createInfrastructure(config, logger, { produces: ['inventoryEvents'], consumes: ['orderEvents'] });
const container = buildContainer(config, logger, infra);

// The reservation document is the saga log: a redelivered event finds its step already recorded
// (proved by the crash-at-every-write tests), so no processed-events record is kept.
const consumer = infra.createConsumer(config.CONSUMER_GROUP_ID, infra.topics.orderEvents, { naturallyIdempotent: true });
container.resolve<OrderEventsHandler>(TOKENS.OrderEventsHandler).register(consumer);

const server = await startHttpServer(createApp(container), config.HOST, config.PORT, logger);
// Consume only once the demo catalog is in: on a first start, an early OrderPlaced must not find it missing.
const shutdown = new AbortController();
const seeded = config.SEED_CATALOG ? seedWhenReady(container.resolve<InventoryService>(TOKENS.InventoryService), infra.connection, logger, shutdown.signal) : Promise.resolve();
void seeded.then(() => infra.kafka.start());
const reconciler = container.resolve<HoldReconciler>(TOKENS.HoldReconciler);
reconciler.start();
logger.info({ db: redactUrlCredentials(config.DB_URL), kafka: config.KAFKA_BROKERS }, 'inventoryservice started');

registerGracefulShutdown({
  logger,
  steps: [
    { name: 'http', run: () => closeHttpServer(server) },
    { name: 'seed', run: async () => shutdown.abort() },
    { name: 'hold-reconciler', run: () => reconciler.stop() },
    ...infra.shutdownSteps(),
  ],
});

import 'reflect-metadata';
import { registerGracefulShutdown } from '@orderplatform/shared/lifecycle';
import { createLogger, redactUrlCredentials } from '@orderplatform/shared/logging';
import { closeHttpServer, createInfrastructure, seedWhenReady, startHttpServer } from '@orderplatform/shared/runtime';
import { createApp } from './app.js';
import { loadConfig, SERVICE_NAME } from './config.js';
import { buildContainer } from './container.js';
import type { OrderEventsHandler } from './events/OrderEventsHandler.js';
import type { PreferencesService } from './services/PreferencesService.js';
import { TOKENS } from './tokens.js';

const config = loadConfig();
const logger = createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
// Publishes nothing: no relay registration, no produced topics (the producer only writes dead letters).
const infra = createInfrastructure(config, logger, { produces: [], consumes: ['orderEvents'] });
const container = buildContainer(config, logger, infra);

const consumer = infra.createConsumer(config.CONSUMER_GROUP_ID, infra.topics.orderEvents, {
  retry: { maxAttempts: config.NOTIFICATION_MAX_ATTEMPTS },
  // One record per (eventId, channel) under a unique index, sent under a lease with the record id as
  // the provider's idempotency key: a redelivery finds the record SENT, so no processed-events record is kept.
  naturallyIdempotent: true,
});
container.resolve<OrderEventsHandler>(TOKENS.OrderEventsHandler).register(consumer);

const server = await startHttpServer(createApp(container), config.HOST, config.PORT, logger);
// Consume only once the demo contacts are in: on a first start, an early OrderPlaced for "123" must find them.
const shutdown = new AbortController();
const preferences = container.resolve<PreferencesService>(TOKENS.PreferencesService);
const seeded = config.SEED_DEMO_CONTACTS ? seedWhenReady('the demo contacts', () => preferences.seedDemoContacts(), infra.connection, logger, shutdown.signal) : Promise.resolve();
void seeded.then(() => infra.kafka.start());
logger.info({ db: redactUrlCredentials(config.DB_URL), kafka: config.KAFKA_BROKERS }, 'notificationservice started');

registerGracefulShutdown({
  logger,
  steps: [
    { name: 'http', run: () => closeHttpServer(server) },
    { name: 'seed', run: async () => shutdown.abort() },
    ...infra.shutdownSteps(),
  ],
});

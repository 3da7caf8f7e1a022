import 'reflect-metadata';
import { registerGracefulShutdown } from '@orderplatform/shared/lifecycle';
import { createLogger, redactUrlCredentials } from '@orderplatform/shared/logging';
import { closeHttpServer, createInfrastructure, startHttpServer } from '@orderplatform/shared/runtime';
import { createApp } from './app.js';
import { loadConfig, SERVICE_NAME } from './config.js';
import { buildContainer } from './container.js';
import type { InventoryEventsHandler } from './events/InventoryEventsHandler.js';
import { orderModel } from './repositories/models/OrderModel.js';
import type { OrderChangeNotifier } from './services/OrderChangeNotifier.js';
import type { PendingOrderSweeper } from './services/PendingOrderSweeper.js';
import { TOKENS } from './tokens.js';

const config = loadConfig();
const logger = createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
const infra = createInfrastructure(config, logger, { produces: ['orderEvents'], consumes: ['inventoryEvents'] });
const container = buildContainer(config, logger, infra);

// The relay's recovery poll publishes events a crashed instance wrote but never sent.
infra.relay.register(orderModel(infra.connection));
// Each handler is a write conditional on the order's state (or on the timeline not holding the event
// yet): a redelivery changes nothing, so no processed-events record is kept.
const consumer = infra.createConsumer(config.CONSUMER_GROUP_ID, infra.topics.inventoryEvents, { naturallyIdempotent: true });
container.resolve<InventoryEventsHandler>(TOKENS.InventoryEventsHandler).register(consumer);

const server = await startHttpServer(createApp(container), config.HOST, config.PORT, logger);
void infra.kafka.start();
const sweeper = container.resolve<PendingOrderSweeper>(TOKENS.PendingOrderSweeper);
sweeper.start();
logger.info({ db: redactUrlCredentials(config.DB_URL), kafka: config.KAFKA_BROKERS }, 'orderservice started');

registerGracefulShutdown({
  logger,
  steps: [
    // Long-polls answer with the current state at once, so closing HTTP does not wait up to 30 s for them.
    { name: 'long-polls', run: async () => container.resolve<OrderChangeNotifier>(TOKENS.OrderChangeNotifier).close() },
    { name: 'timeout-sweeper', run: () => sweeper.stop() },
    { name: 'http', run: () => closeHttpServer(server) },
    ...infra.shutdownSteps(),
  ],
});

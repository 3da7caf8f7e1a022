import 'reflect-metadata';
import { createHttpApp, customerCallers } from '@orderplatform/shared/http';
import { createLogger, type Logger } from '@orderplatform/shared/logging';
import {
  createInfrastructure,
  serviceLifecycle,
  type Infrastructure,
  type Service,
  type ServiceOverrides,
} from '@orderplatform/shared/runtime';
import type { Model } from 'mongoose';
import { container as rootContainer, Lifecycle, type DependencyContainer } from 'tsyringe';
import { OrderController } from './api/OrderController.js';
import { orderOpenApi } from './api/openapi.js';
import { orderRoutes } from './api/orderRoutes.js';
import { loadConfig, SERVICE_NAME, type Config } from './config.js';
import { InventoryEventsHandler } from './events/InventoryEventsHandler.js';
import { OrderEventPublisher } from './events/OrderEventPublisher.js';
import { MongoOrderRepository } from './repositories/MongoOrderRepository.js';
import { orderModel, type OrderDocument } from './repositories/models/OrderModel.js';
import { OrderChangeNotifier } from './services/OrderChangeNotifier.js';
import { PendingOrderSnapshots } from './services/PendingOrderSnapshots.js';
import { OrderLifecycleService } from './services/OrderLifecycleService.js';
import { OrderPlacementService } from './services/OrderPlacementService.js';
import { OrderQueryService } from './services/OrderQueryService.js';
import { PendingOrderSweeper } from './services/PendingOrderSweeper.js';
import { TOKENS } from './tokens.js';

type Models = { orders: Model<OrderDocument> };

/**
 * orderservice's composition root: every part of the service is registered, wired or started here
 * (main.ts only calls start and wires the signals; tests pass overrides). Building it opens nothing.
 */
export function createService(overrides: ServiceOverrides = {}): Service<Config, Models> {
  const config = loadConfig(overrides.env);
  const logger = overrides.logger ?? createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
  const infra = createInfrastructure(config, logger, {
    produces: ['orderEvents'],
    consumes: ['inventoryEvents'],
    models: (connection): Models => ({ orders: orderModel(connection) }),
  });
  const container = registerComponents(rootContainer.createChildContainer(), config, logger, infra);
  overrides.register?.(container, infra);
  const resolve = <T>(token: symbol): T => container.resolve<T>(token);

  // The relay's recovery poll publishes events a crashed instance wrote but never sent.
  infra.relay.register(infra.models.orders);
  // Each handler is a write conditional on the order's state (or on the timeline not holding the event
  // yet): a redelivery changes nothing, so no processed-events record is kept.
  const consumer = infra.createConsumer(config.CONSUMER_GROUP_ID, infra.topics.inventoryEvents, { naturallyIdempotent: true });
  resolve<InventoryEventsHandler>(TOKENS.InventoryEventsHandler).register(consumer);
  const sweeper = resolve<PendingOrderSweeper>(TOKENS.PendingOrderSweeper);
  const longPolls = resolve<OrderChangeNotifier>(TOKENS.OrderChangeNotifier);

  const app = createHttpApp({
    logger,
    config,
    healthChecks: infra.healthChecks,
    document: orderOpenApi(config.PORT, config.ORDER_MAX_WAIT_MS),
    routes: orderRoutes(resolve<OrderController>(TOKENS.OrderController), customerCallers(config)),
  });
  return serviceLifecycle({
    name: SERVICE_NAME,
    config,
    logger,
    app,
    container,
    infra,
    // PENDING orders older than ORDER_PENDING_TIMEOUT_MS are cancelled with reason TIMEOUT.
    background: { 'timeout-sweeper': sweeper },
    // Long-polls answer with the current state at once, so closing HTTP does not wait up to 30 s for them.
    beforeHttpClose: [{ name: 'long-polls', run: async () => longPolls.close() }],
  });
}

/**
 * The only place classes are registered with tsyringe. Container-scoped: one instance per container,
 * so a service built with overrides (a fake repository) gets services built on its fakes.
 */
function registerComponents(
  container: DependencyContainer,
  config: Config,
  logger: Logger,
  infra: Infrastructure<Models>,
): DependencyContainer {
  container.registerInstance(TOKENS.Config, config);
  container.registerInstance(TOKENS.Logger, logger);
  container.registerInstance(TOKENS.Outbox, infra.outbox);
  container.registerInstance(TOKENS.OrderModel, infra.models.orders);

  const scoped = { lifecycle: Lifecycle.ContainerScoped } as const;
  container.register(TOKENS.OrderRepository, { useClass: MongoOrderRepository }, scoped);
  container.register(TOKENS.OrderEvents, { useClass: OrderEventPublisher }, scoped);
  container.register(TOKENS.OrderChangeNotifier, { useClass: OrderChangeNotifier }, scoped);
  container.register(TOKENS.PendingOrderSnapshots, { useClass: PendingOrderSnapshots }, scoped);
  container.register(TOKENS.OrderPlacementService, { useClass: OrderPlacementService }, scoped);
  container.register(TOKENS.OrderQueryService, { useClass: OrderQueryService }, scoped);
  container.register(TOKENS.OrderLifecycleService, { useClass: OrderLifecycleService }, scoped);
  container.register(TOKENS.PendingOrderSweeper, { useClass: PendingOrderSweeper }, scoped);
  container.register(TOKENS.InventoryEventsHandler, { useClass: InventoryEventsHandler }, scoped);
  container.register(TOKENS.OrderController, { useClass: OrderController }, scoped);
  return container;
}

import 'reflect-metadata';
import { createHttpApp } from '@orderplatform/shared/http';
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
import { InventoryController } from './api/InventoryController.js';
import { inventoryRoutes } from './api/inventoryRoutes.js';
import { inventoryOpenApi } from './api/openapi.js';
import { loadConfig, SERVICE_NAME, type Config } from './config.js';
import { InventoryEventPublisher } from './events/InventoryEventPublisher.js';
import { OrderEventsHandler } from './events/OrderEventsHandler.js';
import { productModel, type ProductDocument } from './repositories/models/ProductModel.js';
import { reservationModel, type ReservationDocument } from './repositories/models/ReservationModel.js';
import { MongoProductRepository } from './repositories/MongoProductRepository.js';
import { MongoReservationRepository } from './repositories/MongoReservationRepository.js';
import { HoldReconciler } from './services/HoldReconciler.js';
import { InventoryService } from './services/InventoryService.js';
import { ReservationService } from './services/ReservationService.js';
import { TOKENS } from './tokens.js';

type Models = { products: Model<ProductDocument>; reservations: Model<ReservationDocument> };

/**
 * inventoryservice's composition root: every part of the service is registered, wired or started here
 * (main.ts only calls start and wires the signals; tests pass overrides). Building it opens nothing.
 */
export function createService(overrides: ServiceOverrides = {}): Service<Config, Models> {
  const config = loadConfig(overrides.env);
  const logger = overrides.logger ?? createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
  const infra = createInfrastructure(config, logger, {
    produces: ['inventoryEvents'],
    consumes: ['orderEvents'],
    models: (connection): Models => ({ products: productModel(connection), reservations: reservationModel(connection) }),
  });
  const container = registerComponents(rootContainer.createChildContainer(), config, logger, infra);
  overrides.register?.(container, infra);
  const resolve = <T>(token: symbol): T => container.resolve<T>(token);

  // The reservations carry this service's outbox: the relay's recovery poll publishes what a crashed instance wrote but never sent.
  infra.relay.register(infra.models.reservations);
  // The reservation document is the saga log: a redelivered event finds its step already recorded
  // (proved by the crash-at-every-write tests), so no processed-events record is kept.
  const consumer = infra.createConsumer(config.CONSUMER_GROUP_ID, infra.topics.orderEvents, { naturallyIdempotent: true });
  resolve<OrderEventsHandler>(TOKENS.OrderEventsHandler).register(consumer);
  // Gives back stock still held for ended reservations (a stale consumer's late hold).
  const reconciler = resolve<HoldReconciler>(TOKENS.HoldReconciler);
  const inventory = resolve<InventoryService>(TOKENS.InventoryService);

  const app = createHttpApp({
    logger,
    config,
    healthChecks: infra.healthChecks,
    document: inventoryOpenApi(config.PORT),
    routes: inventoryRoutes(resolve<InventoryController>(TOKENS.InventoryController), config.ADMIN_API_KEY),
  });
  return serviceLifecycle({
    name: SERVICE_NAME,
    config,
    logger,
    app,
    container,
    infra,
    // Consume only once the demo catalog is in: on a first start, an early OrderPlaced must not find it missing.
    ...(config.SEED_CATALOG ? { seed: { what: 'the demo catalog', run: () => inventory.seedDemoCatalog() } } : {}),
    background: { 'hold-reconciler': reconciler },
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
  container.registerInstance(TOKENS.ProductModel, infra.models.products);
  container.registerInstance(TOKENS.ReservationModel, infra.models.reservations);

  const scoped = { lifecycle: Lifecycle.ContainerScoped } as const;
  container.register(TOKENS.ProductRepository, { useClass: MongoProductRepository }, scoped);
  container.register(TOKENS.ReservationRepository, { useClass: MongoReservationRepository }, scoped);
  container.register(TOKENS.InventoryEvents, { useClass: InventoryEventPublisher }, scoped);
  container.register(TOKENS.InventoryService, { useClass: InventoryService }, scoped);
  container.register(TOKENS.ReservationService, { useClass: ReservationService }, scoped);
  container.register(TOKENS.HoldReconciler, { useClass: HoldReconciler }, scoped);
  container.register(TOKENS.OrderEventsHandler, { useClass: OrderEventsHandler }, scoped);
  container.register(TOKENS.InventoryController, { useClass: InventoryController }, scoped);
  return container;
}

import 'reflect-metadata';
import type { Logger } from '@orderplatform/shared/logging';
import type { Infrastructure } from '@orderplatform/shared/runtime';
import { Lifecycle, container as rootContainer, type DependencyContainer } from 'tsyringe';
import { InventoryController } from './api/InventoryController.js';
import type { Config } from './config.js';
import { InventoryEventPublisher } from './events/InventoryEventPublisher.js';
import { OrderEventsHandler } from './events/OrderEventsHandler.js';
import { productModel } from './repositories/models/ProductModel.js';
import { reservationModel } from './repositories/models/ReservationModel.js';
import { MongoProductRepository } from './repositories/MongoProductRepository.js';
import { MongoReservationRepository } from './repositories/MongoReservationRepository.js';
import { HoldReconciler } from './services/HoldReconciler.js';
import { InventoryService } from './services/InventoryService.js';
import { ReservationService } from './services/ReservationService.js';
import { TOKENS } from './tokens.js';

/**
 * The service's classes, one instance per container. Container-scoped (not singletons) so a test's
 * child container that swaps a repository for a fake gets its own service built on the fake.
 */
export function registerComponents(container: DependencyContainer): DependencyContainer {
  const scoped = { lifecycle: Lifecycle.ContainerScoped } as const;
  container.register(TOKENS.ProductRepository, { useClass: MongoProductRepository }, scoped);
  container.register(TOKENS.ReservationRepository, { useClass: MongoReservationRepository }, scoped);
  container.register(TOKENS.InventoryEvents, { useClass: InventoryEventPublisher }, scoped);
  container.register(TOKENS.InventoryService, { useClass: InventoryService }, scoped);
  container.register(TOKENS.ReservationService, { useClass: ReservationService }, scoped);
  container.register(TOKENS.HoldReconciler, { useClass: HoldReconciler }, scoped);
  container.register(TOKENS.InventoryController, { useClass: InventoryController }, scoped);
  container.register(TOKENS.OrderEventsHandler, { useClass: OrderEventsHandler }, scoped);
  return container;
}

/** The only place classes are registered with tsyringe. Tests pass fakes through a child container. */
export function buildContainer(config: Config, logger: Logger, infra: Infrastructure): DependencyContainer {
  const container = rootContainer.createChildContainer();
  container.registerInstance(TOKENS.Config, config);
  container.registerInstance(TOKENS.Logger, logger);
  container.registerInstance(TOKENS.Infrastructure, infra);
  container.registerInstance(TOKENS.Outbox, infra.outbox);
  container.registerInstance(TOKENS.ProductModel, productModel(infra.connection));
  const reservations = reservationModel(infra.connection);
  container.registerInstance(TOKENS.ReservationModel, reservations);
  // The relay's recovery poll must know the collection whose documents carry this service's outbox.
  infra.relay.register(reservations);
  return registerComponents(container);
}

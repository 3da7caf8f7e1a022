import 'reflect-metadata';
import type { Logger } from '@orderplatform/shared/logging';
import type { Infrastructure } from '@orderplatform/shared/runtime';
import { container as rootContainer, Lifecycle, type DependencyContainer } from 'tsyringe';
import { OrderController } from './api/OrderController.js';
import type { Config } from './config.js';
import { InventoryEventsHandler } from './events/InventoryEventsHandler.js';
import { OrderEventPublisher } from './events/OrderEventPublisher.js';
import { MongoOrderRepository } from './repositories/MongoOrderRepository.js';
import { OrderChangeNotifier } from './services/OrderChangeNotifier.js';
import { OrderLifecycleService } from './services/OrderLifecycleService.js';
import { OrderPlacementService } from './services/OrderPlacementService.js';
import { OrderQueryService } from './services/OrderQueryService.js';
import { PendingOrderSweeper } from './services/PendingOrderSweeper.js';
import { TOKENS } from './tokens.js';

/**
 * The only place classes are registered with tsyringe. Classes are container-scoped: one instance per
 * container, so a test's child container that overrides a port (repository, events) gets services
 * built on its fakes, while the parent's instances stay untouched.
 */
export function buildContainer(config: Config, logger: Logger, infra: Infrastructure): DependencyContainer {
  const container = rootContainer.createChildContainer();
  container.registerInstance(TOKENS.Config, config);
  container.registerInstance(TOKENS.Logger, logger);
  container.registerInstance(TOKENS.Infrastructure, infra);
  container.register(TOKENS.Connection, { useFactory: (c) => c.resolve<Infrastructure>(TOKENS.Infrastructure).connection });
  container.register(TOKENS.Outbox, { useFactory: (c) => c.resolve<Infrastructure>(TOKENS.Infrastructure).outbox });

  const scoped = { lifecycle: Lifecycle.ContainerScoped } as const;
  container.register(TOKENS.OrderRepository, { useClass: MongoOrderRepository }, scoped);
  container.register(TOKENS.OrderEvents, { useClass: OrderEventPublisher }, scoped);
  container.register(TOKENS.OrderChangeNotifier, { useClass: OrderChangeNotifier }, scoped);
  container.register(TOKENS.OrderPlacementService, { useClass: OrderPlacementService }, scoped);
  container.register(TOKENS.OrderQueryService, { useClass: OrderQueryService }, scoped);
  container.register(TOKENS.OrderLifecycleService, { useClass: OrderLifecycleService }, scoped);
  container.register(TOKENS.PendingOrderSweeper, { useClass: PendingOrderSweeper }, scoped);
  container.register(TOKENS.InventoryEventsHandler, { useClass: InventoryEventsHandler }, scoped);
  container.register(TOKENS.OrderController, { useClass: OrderController }, scoped);
  return container;
}

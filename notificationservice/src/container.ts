import 'reflect-metadata';
import type { Logger } from '@orderplatform/shared/logging';
import type { Infrastructure } from '@orderplatform/shared/runtime';
import { Lifecycle, container as rootContainer, type DependencyContainer } from 'tsyringe';
import { NotificationController } from './api/NotificationController.js';
import type { Config } from './config.js';
import { OrderEventsHandler } from './events/OrderEventsHandler.js';
import { MockEmailProvider } from './providers/MockEmailProvider.js';
import { MockSmsProvider } from './providers/MockSmsProvider.js';
import { mockDeliveryModel } from './repositories/models/MockDeliveryModel.js';
import { notificationModel } from './repositories/models/NotificationModel.js';
import { preferencesModel } from './repositories/models/PreferencesModel.js';
import { MongoMockMailbox } from './repositories/MongoMockMailbox.js';
import { MongoNotificationRepository } from './repositories/MongoNotificationRepository.js';
import { MongoPreferencesRepository } from './repositories/MongoPreferencesRepository.js';
import { NotificationQueryService } from './services/NotificationQueryService.js';
import { NotificationService } from './services/NotificationService.js';
import { PreferencesService } from './services/PreferencesService.js';
import { TOKENS } from './tokens.js';

/**
 * The service's classes, one instance per container. Container-scoped (not singletons) so a test's
 * child container that swaps a repository or a provider for a fake gets its own service built on it.
 */
export function registerComponents(container: DependencyContainer): DependencyContainer {
  const scoped = { lifecycle: Lifecycle.ContainerScoped } as const;
  container.register(TOKENS.NotificationRepository, { useClass: MongoNotificationRepository }, scoped);
  container.register(TOKENS.PreferencesRepository, { useClass: MongoPreferencesRepository }, scoped);
  container.register(TOKENS.MockMailbox, { useClass: MongoMockMailbox }, scoped);
  container.register(TOKENS.Random, { useValue: Math.random });
  container.register(TOKENS.EmailProvider, { useClass: MockEmailProvider }, scoped);
  container.register(TOKENS.SmsProvider, { useClass: MockSmsProvider }, scoped);
  container.register(TOKENS.NotificationService, { useClass: NotificationService }, scoped);
  container.register(TOKENS.NotificationQueryService, { useClass: NotificationQueryService }, scoped);
  container.register(TOKENS.PreferencesService, { useClass: PreferencesService }, scoped);
  container.register(TOKENS.NotificationController, { useClass: NotificationController }, scoped);
  container.register(TOKENS.OrderEventsHandler, { useClass: OrderEventsHandler }, scoped);
  return container;
}

/** The only place classes are registered with tsyringe. Tests pass fakes through a child container. */
export function buildContainer(config: Config, logger: Logger, infra: Infrastructure): DependencyContainer {
  const container = rootContainer.createChildContainer();
  container.registerInstance(TOKENS.Config, config);
  container.registerInstance(TOKENS.Logger, logger);
  container.registerInstance(TOKENS.Infrastructure, infra);
  // Creating the models here puts their collections and indexes into initModels, before anything is consumed.
  container.registerInstance(TOKENS.NotificationModel, notificationModel(infra.connection));
  container.registerInstance(TOKENS.PreferencesModel, preferencesModel(infra.connection));
  container.registerInstance(TOKENS.MockDeliveryModel, mockDeliveryModel(infra.connection));
  return registerComponents(container);
}

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
import { NotificationController } from './api/NotificationController.js';
import { notificationRoutes } from './api/notificationRoutes.js';
import { notificationOpenApi } from './api/openapi.js';
import { loadConfig, SERVICE_NAME, type Config } from './config.js';
import { OrderEventsHandler } from './events/OrderEventsHandler.js';
import { MockEmailProvider } from './providers/MockEmailProvider.js';
import { MockSmsProvider } from './providers/MockSmsProvider.js';
import { mockDeliveryModel, type MockDeliveryDocument } from './repositories/models/MockDeliveryModel.js';
import { notificationModel, type NotificationDocument } from './repositories/models/NotificationModel.js';
import { preferencesModel, type PreferencesDocument } from './repositories/models/PreferencesModel.js';
import { MongoMockMailbox } from './repositories/MongoMockMailbox.js';
import { MongoNotificationRepository } from './repositories/MongoNotificationRepository.js';
import { MongoPreferencesRepository } from './repositories/MongoPreferencesRepository.js';
import { NotificationQueryService } from './services/NotificationQueryService.js';
import { NotificationService } from './services/NotificationService.js';
import { PreferencesService } from './services/PreferencesService.js';
import { TOKENS } from './tokens.js';

type Models = {
  notifications: Model<NotificationDocument>;
  preferences: Model<PreferencesDocument>;
  mockDeliveries: Model<MockDeliveryDocument>;
};

/**
 * notificationservice's composition root: every part of the service is registered, wired or started
 * here (main.ts only calls start and wires the signals; tests pass overrides). Building it opens nothing.
 */
export function createService(overrides: ServiceOverrides = {}): Service<Config, Models> {
  const config = loadConfig(overrides.env);
  const logger = overrides.logger ?? createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
  // Publishes nothing: no relay registration, no produced topics (the producer only writes dead letters).
  const infra = createInfrastructure(config, logger, {
    produces: [],
    consumes: ['orderEvents'],
    models: (connection): Models => ({
      notifications: notificationModel(connection),
      preferences: preferencesModel(connection),
      mockDeliveries: mockDeliveryModel(connection),
    }),
  });
  const container = registerComponents(rootContainer.createChildContainer(), config, logger, infra);
  overrides.register?.(container, infra);
  const resolve = <T>(token: symbol): T => container.resolve<T>(token);

  const consumer = infra.createConsumer(config.CONSUMER_GROUP_ID, infra.topics.orderEvents, {
    retry: { maxAttempts: config.NOTIFICATION_MAX_ATTEMPTS },
    // One record per (eventId, channel) under a unique index, sent under a lease with the record id as
    // the provider's idempotency key: a redelivery finds the record SENT, so no processed-events record is kept.
    naturallyIdempotent: true,
  });
  resolve<OrderEventsHandler>(TOKENS.OrderEventsHandler).register(consumer);
  const preferences = resolve<PreferencesService>(TOKENS.PreferencesService);

  const app = createHttpApp({
    logger,
    config,
    healthChecks: infra.healthChecks,
    document: notificationOpenApi(config.PORT),
    routes: notificationRoutes(resolve<NotificationController>(TOKENS.NotificationController), customerCallers(config)),
  });
  return serviceLifecycle({
    name: SERVICE_NAME,
    config,
    logger,
    app,
    container,
    infra,
    // Consume only once the demo contacts are in: on a first start, an early OrderPlaced for "123" must find them.
    ...(config.SEED_DEMO_CONTACTS ? { seed: { what: 'the demo contacts', run: () => preferences.seedDemoContacts() } } : {}),
  });
}

/**
 * The only place classes are registered with tsyringe. Container-scoped: one instance per container,
 * so a service built with overrides (a fake repository or provider) gets services built on its fakes.
 */
function registerComponents(
  container: DependencyContainer,
  config: Config,
  logger: Logger,
  infra: Infrastructure<Models>,
): DependencyContainer {
  container.registerInstance(TOKENS.Config, config);
  container.registerInstance(TOKENS.Logger, logger);
  container.registerInstance(TOKENS.NotificationModel, infra.models.notifications);
  container.registerInstance(TOKENS.PreferencesModel, infra.models.preferences);
  container.registerInstance(TOKENS.MockDeliveryModel, infra.models.mockDeliveries);
  container.register(TOKENS.Random, { useValue: Math.random });

  const scoped = { lifecycle: Lifecycle.ContainerScoped } as const;
  container.register(TOKENS.NotificationRepository, { useClass: MongoNotificationRepository }, scoped);
  container.register(TOKENS.PreferencesRepository, { useClass: MongoPreferencesRepository }, scoped);
  container.register(TOKENS.MockMailbox, { useClass: MongoMockMailbox }, scoped);
  container.register(TOKENS.EmailProvider, { useClass: MockEmailProvider }, scoped);
  container.register(TOKENS.SmsProvider, { useClass: MockSmsProvider }, scoped);
  container.register(TOKENS.NotificationService, { useClass: NotificationService }, scoped);
  container.register(TOKENS.NotificationQueryService, { useClass: NotificationQueryService }, scoped);
  container.register(TOKENS.PreferencesService, { useClass: PreferencesService }, scoped);
  container.register(TOKENS.OrderEventsHandler, { useClass: OrderEventsHandler }, scoped);
  container.register(TOKENS.NotificationController, { useClass: NotificationController }, scoped);
  return container;
}

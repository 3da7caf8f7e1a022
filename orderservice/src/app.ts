import { docsRouter, openApiRoutes } from '@orderplatform/shared/docs';
import { applyErrorHandling, applyStandardMiddleware, customerCallers } from '@orderplatform/shared/http';
import type { Logger } from '@orderplatform/shared/logging';
import type { Infrastructure } from '@orderplatform/shared/runtime';
import express, { type Express } from 'express';
import type { DependencyContainer } from 'tsyringe';
import type { OrderController } from './api/OrderController.js';
import { orderRoutes } from './api/orderRoutes.js';
import { orderOpenApi } from './api/openapi.js';
import type { Config } from './config.js';
import { TOKENS } from './tokens.js';

/** The express app, without listen(): routes, middleware, error handling. */
export function createApp(container: DependencyContainer): Express {
  const config = container.resolve<Config>(TOKENS.Config);
  const logger = container.resolve<Logger>(TOKENS.Logger);
  const infra = container.resolve<Infrastructure>(TOKENS.Infrastructure);
  const document = orderOpenApi(config.PORT, config.ORDER_MAX_WAIT_MS);
  const app = express();
  applyStandardMiddleware(app, { logger, config, healthChecks: infra.healthChecks, routes: openApiRoutes(document) });
  app.use(docsRouter(document));
  app.use(orderRoutes(container.resolve<OrderController>(TOKENS.OrderController), customerCallers(config)));
  applyErrorHandling(app, logger);
  return app;
}

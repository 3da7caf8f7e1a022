import express, { type Express, type Router } from 'express';
import type { Logger } from 'pino';
import { docsRouter, openApiRoutes } from '../docs/openApi.js';
import type { HealthCheck } from './createHealthRouter.js';
import { applyErrorHandling, applyStandardMiddleware, type StandardMiddlewareOptions } from './standardMiddleware.js';

export interface HttpAppOptions {
  logger: Logger;
  config: StandardMiddlewareOptions['config'];
  healthChecks: readonly HealthCheck[];
  /** The service's OpenAPI document: served under /docs; its paths answer 405 to undeclared methods. */
  document: Record<string, unknown>;
  /** The service's routes, with their full paths (`/api/orders/:id`). */
  routes: Router;
}

/** A service's express app, without listen(): the standard middleware, /docs, its routes, error handling. */
export function createHttpApp({ logger, config, healthChecks, document, routes }: HttpAppOptions): Express {
  const app = express();
  applyStandardMiddleware(app, { logger, config, healthChecks, routes: openApiRoutes(document) });
  app.use(docsRouter(document));
  app.use(routes);
  applyErrorHandling(app, logger);
  return app;
}

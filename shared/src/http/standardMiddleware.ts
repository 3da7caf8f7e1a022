import type { Express } from 'express';
import type { Logger } from 'pino';
import type { BaseConfig } from '../config/defineServiceConfig.js';
import { correlationMiddleware } from './correlationMiddleware.js';
import { createHealthRouter, type HealthCheck } from './createHealthRouter.js';
import { errorMiddleware } from './errorMiddleware.js';
import { httpLogger } from './httpLogger.js';
import { httpMetricsMiddleware } from './httpMetricsMiddleware.js';
import { metricsRouter } from './metricsRouter.js';
import { methodNotAllowed, type KnownRoute } from './methodNotAllowed.js';
import { notFoundHandler } from './notFoundHandler.js';
import { securityMiddleware } from './securityMiddleware.js';

export interface StandardMiddlewareOptions {
  logger: Logger;
  config: Pick<BaseConfig, 'BODY_LIMIT' | 'RATE_LIMIT_WINDOW_MS' | 'RATE_LIMIT_MAX'>;
  healthChecks?: readonly HealthCheck[];
  /** Per readiness check; default 1 s. */
  healthCheckTimeoutMs?: number;
  /** Every path the service serves with its methods (see openApiRoutes): other methods there get 405. */
  routes?: readonly KnownRoute[];
}

/**
 * Everything before a service's own routes: correlation → request log → metrics → health and
 * /metrics (not rate limited) → 405 for an undeclared method on a known path (before any body is
 * read: the method is the request's first problem) → security. Mount routes next, then call
 * applyErrorHandling.
 */
export function applyStandardMiddleware(
  app: Express,
  { logger, config, healthChecks = [], healthCheckTimeoutMs, routes = [] }: StandardMiddlewareOptions,
): void {
  app.disable('x-powered-by');
  app.use(correlationMiddleware());
  app.use(httpLogger(logger));
  app.use(httpMetricsMiddleware());
  app.use(createHealthRouter(healthChecks, healthCheckTimeoutMs === undefined ? {} : { timeoutMs: healthCheckTimeoutMs }));
  app.use(metricsRouter({ healthChecks, ...(healthCheckTimeoutMs === undefined ? {} : { timeoutMs: healthCheckTimeoutMs }) }));
  app.use(methodNotAllowed(routes));
  app.use(
    securityMiddleware({
      bodyLimit: config.BODY_LIMIT,
      rateLimit: { windowMs: config.RATE_LIMIT_WINDOW_MS, max: config.RATE_LIMIT_MAX },
    }),
  );
}

/** After a service's routes: 404 for anything unmatched, then the one error middleware. */
export function applyErrorHandling(app: Express, logger: Logger): void {
  app.use(notFoundHandler());
  app.use(errorMiddleware(logger));
}

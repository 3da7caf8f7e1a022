import express, { type Express } from 'express';
import { applyErrorHandling, applyStandardMiddleware, type HealthCheck, type KnownRoute } from '../../src/http/index.js';
import { createLogger } from '../../src/logging/index.js';
import { captureLogs } from './captureLogs.js';

export interface TestAppOptions {
  routes?: (app: Express) => void;
  bodyLimit?: string;
  rateLimitMax?: number;
  healthChecks?: HealthCheck[];
  healthCheckTimeoutMs?: number;
  /** Known paths and methods: others there get 405. */
  knownRoutes?: KnownRoute[];
}

/** A tiny service built exactly the way the real ones are, with its log lines captured. */
export function buildTestApp({
  routes,
  bodyLimit = '1kb',
  rateLimitMax = 1000,
  healthChecks = [],
  healthCheckTimeoutMs = 100,
  knownRoutes = [],
}: TestAppOptions = {}) {
  const logs = captureLogs();
  const logger = createLogger({ service: 'test-service', level: 'debug', destination: logs.destination });
  const app = express();
  applyStandardMiddleware(app, {
    logger,
    config: { BODY_LIMIT: bodyLimit, RATE_LIMIT_WINDOW_MS: 60_000, RATE_LIMIT_MAX: rateLimitMax },
    healthChecks,
    healthCheckTimeoutMs,
    routes: knownRoutes,
  });
  routes?.(app);
  applyErrorHandling(app, logger);
  return { app, logs, logger };
}

import { Router } from 'express';
import client from 'prom-client';
import { metrics, metricsRegistry } from '../metrics/metrics.js';
import { checkReadiness, type HealthCheck } from './createHealthRouter.js';

/** Default process metrics, registered at most once per process whoever asks first. */
function collectDefaultMetricsOnce(): void {
  if (metricsRegistry.getSingleMetric('process_cpu_user_seconds_total')) return;
  client.collectDefaultMetrics({ register: metricsRegistry });
}

export interface MetricsRouterOptions {
  /** The readiness checks, run on each scrape into service_ready and service_dependency_up (for alerting). */
  healthChecks?: readonly HealthCheck[];
  timeoutMs?: number;
}

/** GET /metrics in Prometheus text format (SPEC §3, §7). */
export function metricsRouter({ healthChecks = [], timeoutMs }: MetricsRouterOptions = {}): Router {
  collectDefaultMetricsOnce();
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const { ready, checks } = await checkReadiness(healthChecks, timeoutMs);
    metrics.serviceReady.set(ready ? 1 : 0);
    for (const [dependency, status] of Object.entries(checks)) metrics.dependencyUp.set({ dependency }, status === 'up' ? 1 : 0);
    res.set('Content-Type', metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
  return router;
}

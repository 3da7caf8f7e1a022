import { Router } from 'express';
import client from 'prom-client';
import { metricsRegistry } from '../metrics/metrics.js';

/** Default process metrics, registered at most once per process whoever asks first. */
function collectDefaultMetricsOnce(): void {
  if (metricsRegistry.getSingleMetric('process_cpu_user_seconds_total')) return;
  client.collectDefaultMetrics({ register: metricsRegistry });
}

/** GET /metrics in Prometheus text format (SPEC §3, §7). */
export function metricsRouter(): Router {
  collectDefaultMetricsOnce();
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.set('Content-Type', metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
  return router;
}

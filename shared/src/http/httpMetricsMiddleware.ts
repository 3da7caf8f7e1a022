import type { RequestHandler } from 'express';
import { metrics } from '../metrics/metrics.js';
import { matchedRoute, trackMatchedRoute } from './matchedRoute.js';

/** Observes http_request_duration_seconds{method, route, status} for every request. */
export function httpMetricsMiddleware(): RequestHandler {
  return (req, res, next) => {
    trackMatchedRoute(req);
    const stopTimer = metrics.httpRequestDuration.startTimer();
    res.once('finish', () => {
      stopTimer({ method: req.method, route: matchedRoute(req), status: String(res.statusCode) });
    });
    next();
  };
}

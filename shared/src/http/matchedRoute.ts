import type { Request } from 'express';

const MATCHED_ROUTE = Symbol('matchedRoute');

type RouteLike = { path?: unknown };
type TrackedRequest = Request & { [MATCHED_ROUTE]?: string };

/**
 * Records the full route pattern (`/api/orders/:id`) when Express matches a route. Reading
 * req.baseUrl later is not enough: once an error leaves a router, Express has already restored
 * baseUrl to the parent's, so the pattern must be captured at match time.
 */
export function trackMatchedRoute(req: Request): void {
  const tracked = req as TrackedRequest;
  let route: RouteLike | undefined;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: RouteLike | undefined) => {
      route = value;
      if (value && value.path !== undefined) tracked[MATCHED_ROUTE] = `${req.baseUrl}${String(value.path)}`;
    },
  });
}

/** The matched route pattern, or 'unmatched' — never the raw URL (metric label cardinality). */
export function matchedRoute(req: Request): string {
  return (req as TrackedRequest)[MATCHED_ROUTE] ?? 'unmatched';
}

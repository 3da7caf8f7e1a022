import type { RequestHandler } from 'express';
import { RequestError } from './RequestError.js';

/** A path the service serves (OpenAPI template: `/api/orders/{id}`) and the methods it takes there. */
export interface KnownRoute {
  path: string;
  methods: readonly string[];
}

interface CompiledRoute {
  pattern: RegExp;
  methods: readonly string[];
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Matches a request path the way Express routes do: case-insensitive, an optional trailing slash, one segment per `{param}`. */
function compile({ path, methods }: KnownRoute): CompiledRoute {
  const source = path
    .split(/\{[^}]+\}/)
    .map(escapeRegExp)
    .join('[^/]+');
  return { pattern: new RegExp(`^${source}/?$`, 'i'), methods: methods.map((m) => m.toUpperCase()) };
}

/**
 * 405 with `Allow` for a method a known path does not take (RFC 9110 §15.5.6), instead of the 404 an
 * unmatched route would get; OPTIONS there answers 204 with the same `Allow`. HEAD is allowed wherever
 * GET is (Express answers it). Unknown paths go on to the 404.
 */
export function methodNotAllowed(routes: readonly KnownRoute[]): RequestHandler {
  const compiled = routes.map(compile);
  return (req, res, next) => {
    const matching = compiled.filter((route) => route.pattern.test(req.path));
    if (matching.length === 0) return next();
    const allowed = new Set(['OPTIONS', ...matching.flatMap((route) => route.methods)]);
    if (allowed.has('GET')) allowed.add('HEAD');
    if (req.method !== 'OPTIONS' && allowed.has(req.method)) return next();
    const allow = [...allowed].sort().join(', ');
    res.set('Allow', allow);
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    throw new RequestError(
      'method-not-allowed',
      'HTTP.METHOD_NOT_ALLOWED',
      `${req.method} is not allowed on ${req.path}; allowed: ${allow}`,
      { allowed: allow.split(', ') },
    );
  };
}

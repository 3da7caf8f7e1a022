import type { RequestHandler } from 'express';
import { RequestError } from './RequestError.js';

export const MAX_INPUT_DEPTH = 20;

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Keys that could become MongoDB operators, dotted paths or prototype pollution. */
export function isForbiddenKey(key: string): boolean {
  return key.startsWith('$') || key.includes('.') || PROTOTYPE_KEYS.has(key);
}

type Path = Array<string | number>;

/** Walks own keys only: JSON.parse turns `"__proto__"` into an own key, which is what we look for. */
function findProblem(value: unknown, path: Path): { kind: 'key' | 'depth'; path: Path } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (path.length >= MAX_INPUT_DEPTH) return { kind: 'depth', path };
  const entries: Array<[string | number, unknown]> = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.keys(value).map((key) => [key, (value as Record<string, unknown>)[key]]);
  for (const [key, child] of entries) {
    if (typeof key === 'string' && isForbiddenKey(key)) return { kind: 'key', path: [...path, key] };
    const problem = findProblem(child, [...path, key]);
    if (problem) return problem;
  }
  return undefined;
}

function check(location: 'body' | 'query', value: unknown): void {
  const problem = findProblem(value, []);
  if (!problem) return;
  if (problem.kind === 'depth') {
    throw new RequestError('invalid', 'REQUEST.TOO_DEEP', `Request ${location} is nested more than ${MAX_INPUT_DEPTH} levels deep`, {
      location,
    });
  }
  throw new RequestError('invalid', 'REQUEST.FORBIDDEN_KEY', `Request ${location} contains a forbidden key`, {
    location,
    path: problem.path.join('.'),
  });
}

/** Rejects `$`-prefixed, dotted and prototype keys anywhere in the body or query (SPEC §6). */
export function forbiddenKeysGuard(): RequestHandler {
  return (req, _res, next) => {
    check('body', req.body);
    check('query', req.query);
    next();
  };
}

import type { RequestHandler } from 'express';
import { RequestError } from './RequestError.js';

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = Number(headers['content-length'] ?? 0);
  return Number.isFinite(length) && length > 0;
}

/** JSON only (SPEC §6): a request that carries a body of any other media type gets 415. */
export function requireJson(): RequestHandler {
  return (req, _res, next) => {
    if (hasBody(req.headers) && !req.is('application/json')) {
      throw new RequestError('unsupported', 'REQUEST.UNSUPPORTED_MEDIA_TYPE', 'Request body must be application/json');
    }
    next();
  };
}

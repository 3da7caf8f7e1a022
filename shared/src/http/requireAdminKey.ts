import type { RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError } from '../errors/DomainError.js';
import { adminKeyMatcher } from './adminKeyMatcher.js';

/** Guards admin endpoints with `X-Api-Key` (SPEC §3), compared in constant time. */
export function requireAdminKey(expectedKey: string): RequestHandler {
  const matches = adminKeyMatcher(expectedKey);
  return (req, _res, next) => {
    const offered = req.headers['x-api-key'];
    if (typeof offered !== 'string' || offered.length === 0) {
      throw new UnauthorizedError('Missing X-Api-Key header');
    }
    if (!matches(offered)) {
      throw new ForbiddenError('Invalid API key');
    }
    next();
  };
}

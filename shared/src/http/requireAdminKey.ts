import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError } from '../errors/DomainError.js';

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Guards admin endpoints with `X-Api-Key` (SPEC §3). Both sides are hashed first so the
 * comparison is constant-time and does not reveal the key's length.
 */
export function requireAdminKey(expectedKey: string): RequestHandler {
  const expectedDigest = sha256(expectedKey);
  return (req, _res, next) => {
    const offered = req.headers['x-api-key'];
    if (typeof offered !== 'string' || offered.length === 0) {
      throw new UnauthorizedError('Missing X-Api-Key header');
    }
    if (!timingSafeEqual(sha256(offered), expectedDigest)) {
      throw new ForbiddenError('Invalid API key');
    }
    next();
  };
}

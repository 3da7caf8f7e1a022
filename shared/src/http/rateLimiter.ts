import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { RequestError } from './RequestError.js';

export interface RateLimitOptions {
  windowMs: number;
  max: number;
}

/** Per-client request budget; over it, 429 RATE_LIMITED through the error middleware. */
export function rateLimiter({ windowMs, max }: RateLimitOptions): RequestHandler {
  return rateLimit({
    windowMs,
    limit: max,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new RequestError('rate-limited', 'RATE_LIMITED', 'Too many requests, please retry later')),
  });
}

import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { forbiddenKeysGuard } from './forbiddenKeysGuard.js';
import { rateLimiter, type RateLimitOptions } from './rateLimiter.js';
import { requireJson } from './requireJson.js';

export interface SecurityOptions {
  /** e.g. '64kb'; larger bodies get 413. */
  bodyLimit: string;
  rateLimit: RateLimitOptions;
}

/**
 * SPEC §6 for the API routes, in order: security headers, rate limit (before any parsing work),
 * JSON-only, size-limited strict JSON parsing, forbidden-key guard.
 */
export function securityMiddleware({ bodyLimit, rateLimit }: SecurityOptions): RequestHandler[] {
  return [helmet(), rateLimiter(rateLimit), requireJson(), express.json({ limit: bodyLimit, strict: true }), forbiddenKeysGuard()];
}

import type { Request, RequestHandler, Response } from 'express';
import { CustomerTokens } from '../auth/CustomerTokens.js';
import { InvalidCustomerTokenError } from '../auth/InvalidCustomerTokenError.js';
import type { CustomerAuthConfig } from '../config/customerAuthConfigShape.js';
import type { BaseConfig } from '../config/defineServiceConfig.js';
import { ForbiddenError, UnauthorizedError } from '../errors/DomainError.js';
import { adminKeyMatcher } from './adminKeyMatcher.js';

export interface CustomerCallers {
  tokens: CustomerTokens;
  adminApiKey: string;
  /** Refuse anonymous callers (401). Presented credentials are verified either way. */
  anonymousRefused: boolean;
}

/** Where a route carries the customer it is about. */
export type CustomerIdLocation = { param: string } | { query: string };

/** Production refuses anonymous callers of customer-scoped routes; elsewhere they stay open (SPEC §6). */
export function customerCallers(config: CustomerAuthConfig & Pick<BaseConfig, 'NODE_ENV' | 'ADMIN_API_KEY'>): CustomerCallers {
  return { tokens: new CustomerTokens(config), adminApiKey: config.ADMIN_API_KEY, anonymousRefused: config.NODE_ENV === 'production' };
}

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

type Caller = { kind: 'admin' } | { kind: 'customer'; customerId: string } | { kind: 'anonymous' };

function unauthorized(res: Response, message: string, invalidToken: boolean): UnauthorizedError {
  res.setHeader('WWW-Authenticate', invalidToken ? 'Bearer error="invalid_token"' : 'Bearer');
  return new UnauthorizedError(message);
}

/**
 * Customer-scoped routes know their caller: the admin key (`X-Api-Key`) or a bearer token the shop
 * issued for that very customer (subject = customerId). A wrong key or a token for someone else is
 * 403, a malformed, tampered or expired token 401, no credential 401 when anonymous callers are
 * refused. A request that names no customer (e.g. a notification query by orderId) is not scoped.
 */
export function requireCustomerCaller(callers: CustomerCallers, where: CustomerIdLocation): RequestHandler {
  const isAdminKey = adminKeyMatcher(callers.adminApiKey);

  /** Every credential presented is checked, even next to a valid one: a bad token with a good key is still refused. */
  async function identify(req: Request, res: Response): Promise<Caller> {
    const apiKey = req.headers['x-api-key'];
    const admin = typeof apiKey === 'string' && apiKey.length > 0;
    if (admin && !isAdminKey(apiKey)) throw new ForbiddenError('Invalid API key');
    const authorization = req.headers.authorization;
    // An empty header is a credential presented badly, not an absent one.
    if (authorization === undefined) return admin ? { kind: 'admin' } : { kind: 'anonymous' };
    const token = BEARER.exec(authorization)?.[1];
    if (!token) throw unauthorized(res, 'Authorization must be a Bearer token', true);
    let customerId: string;
    try {
      customerId = await callers.tokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidCustomerTokenError) throw unauthorized(res, error.message, true);
      throw error;
    }
    return admin ? { kind: 'admin' } : { kind: 'customer', customerId };
  }

  /** The customer the request is about; `null` when it names none. Anything but one string matches no caller. */
  function customerOf(req: Request): string | null | undefined {
    const value: unknown = 'param' in where ? req.params[where.param] : (req.query as Record<string, unknown>)[where.query];
    if (value === undefined) return null;
    return typeof value === 'string' ? value : undefined;
  }

  return async (req, res, next) => {
    const caller = await identify(req, res);
    const customerId = customerOf(req);
    if (customerId === null || caller.kind === 'admin') return next();
    if (caller.kind === 'anonymous') {
      if (callers.anonymousRefused) throw unauthorized(res, 'This route needs a bearer token for the customer or the admin key', false);
      return next();
    }
    if (caller.customerId !== customerId) throw new ForbiddenError('The bearer token is for another customer');
    next();
  };
}

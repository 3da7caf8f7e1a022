import type { RequestHandler } from 'express';
import { NotFoundError } from '../errors/DomainError.js';

/** Mount after every route: anything unmatched is 404 ROUTE.NOT_FOUND. */
export function notFoundHandler(): RequestHandler {
  return (req) => {
    throw new NotFoundError('ROUTE.NOT_FOUND', `No route for ${req.method} ${req.path}`);
  };
}

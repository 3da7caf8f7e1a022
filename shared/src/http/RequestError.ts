import { DomainError, type ErrorKind } from '../errors/DomainError.js';

/**
 * A problem with the HTTP request itself (media type, size, shape, rate) rather than with the
 * domain, raised by the shared middleware and mapped by the one error middleware.
 */
export class RequestError extends DomainError {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    details?: unknown,
  ) {
    super(message, details);
  }
}

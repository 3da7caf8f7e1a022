/**
 * Base of every error the services raise on purpose. `code` is stable and part of the API
 * (clients may switch on it); `status` is only a hint for the one HTTP error middleware —
 * services never set status codes themselves.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;

  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  readonly code = 'REQUEST.VALIDATION_FAILED';
  readonly status = 400;
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  constructor(
    readonly code: string,
    message: string,
    details?: unknown,
  ) {
    super(message, details);
  }
}

export class ConflictError extends DomainError {
  readonly status = 409;
  constructor(
    readonly code: string,
    message: string,
    details?: unknown,
  ) {
    super(message, details);
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  constructor(
    readonly code: string,
    message: string,
    details?: unknown,
  ) {
    super(message, details);
  }
}

export class UnauthorizedError extends DomainError {
  readonly code = 'AUTH.UNAUTHORIZED';
  readonly status = 401;
}

export class ForbiddenError extends DomainError {
  readonly code = 'AUTH.FORBIDDEN';
  readonly status = 403;
}

export class DependencyUnavailableError extends DomainError {
  readonly code = 'DEPENDENCY.UNAVAILABLE';
  readonly status = 503;
}

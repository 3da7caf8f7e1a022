/**
 * What went wrong, independent of any transport: the HTTP error middleware maps a kind to a status
 * (shared/src/http/httpStatusOfKind.ts), the reliable consumer to "dead-letter now" or "retry later".
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'conflict'
  | 'too-large'
  | 'unsupported'
  | 'rate-limited'
  /** A dependency (database, broker, provider) cannot be reached right now: worth retrying. */
  | 'unavailable';

/** Kinds that may go away by themselves; every other kind is a refusal that a retry would repeat. */
export const TRANSIENT_KINDS: ReadonlySet<ErrorKind> = new Set(['unavailable', 'rate-limited']);

/**
 * Base of every error the services raise on purpose. `code` is stable and part of the API
 * (clients may switch on it); `kind` says what sort of failure it is — services never choose
 * transport details such as HTTP status codes.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly kind: ErrorKind;

  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A DomainError whose code is chosen where it is raised. */
abstract class CodedError extends DomainError {
  constructor(
    readonly code: string,
    message: string,
    details?: unknown,
  ) {
    super(message, details);
  }
}

export class ValidationError extends DomainError {
  readonly code = 'REQUEST.VALIDATION_FAILED';
  readonly kind = 'invalid';
}

export class NotFoundError extends CodedError {
  readonly kind = 'not-found';
}

export class ConflictError extends CodedError {
  readonly kind = 'conflict';
}

export class PayloadTooLargeError extends CodedError {
  readonly kind = 'too-large';
}

export class UnauthorizedError extends DomainError {
  readonly code = 'AUTH.UNAUTHORIZED';
  readonly kind = 'unauthenticated';
}

export class ForbiddenError extends DomainError {
  readonly code = 'AUTH.FORBIDDEN';
  readonly kind = 'forbidden';
}

export class DependencyUnavailableError extends DomainError {
  readonly code = 'DEPENDENCY.UNAVAILABLE';
  readonly kind = 'unavailable';
}

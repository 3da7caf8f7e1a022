import { z } from 'zod';
import { DomainError, DependencyUnavailableError } from '../errors/DomainError.js';
import { isDependencyUnavailable } from '../persistence/dependencyErrors.js';
import type { HttpProblem } from './errorBody.js';
import { HTTP_STATUS_OF_KIND } from './httpStatusOfKind.js';

/** Errors raised by body-parser (http-errors): a `type` tag, a status and a safe-to-show flag. */
interface HttpLibraryError {
  type?: unknown;
  status?: unknown;
  expose?: unknown;
  message: string;
}

const BODY_PARSER_PROBLEMS: Record<string, Omit<HttpProblem, 'details'>> = {
  'entity.too.large': { status: 413, code: 'REQUEST.TOO_LARGE', message: 'Request body is too large' },
  'entity.parse.failed': { status: 400, code: 'REQUEST.MALFORMED_JSON', message: 'Request body is not valid JSON' },
  'charset.unsupported': { status: 415, code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported charset; use utf-8' },
  'encoding.unsupported': { status: 415, code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported content encoding' },
  'request.aborted': { status: 400, code: 'REQUEST.ABORTED', message: 'Request was aborted' },
  'request.size.invalid': { status: 400, code: 'REQUEST.MALFORMED', message: 'Request size does not match Content-Length' },
};

const INTERNAL: HttpProblem = { status: 500, code: 'INTERNAL', message: 'Internal server error' };

function isHttpLibraryError(error: unknown): error is HttpLibraryError {
  return error instanceof Error && ('type' in error || 'status' in error);
}

/** Maps any thrown value to what the client is told; `undefined` details are omitted. */
export function toHttpProblem(error: unknown): HttpProblem {
  if (error instanceof DomainError) {
    return { status: HTTP_STATUS_OF_KIND[error.kind], code: error.code, message: error.message, details: error.details };
  }
  if (isDependencyUnavailable(error)) {
    const unavailable = new DependencyUnavailableError('A service this request needs is unavailable; try again shortly');
    return { status: HTTP_STATUS_OF_KIND[unavailable.kind], code: unavailable.code, message: unavailable.message };
  }
  if (error instanceof z.core.$ZodError) {
    return {
      status: 400,
      code: 'REQUEST.VALIDATION_FAILED',
      message: 'Request validation failed',
      details: error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
    };
  }
  // A path segment that is not valid percent-encoding (`/api/orders/%E0%A4%A`): the router's
  // decodeURIComponent fails before any route runs. The client's fault, not ours.
  if (error instanceof URIError) {
    return { status: 400, code: 'REQUEST.MALFORMED_URI', message: 'Request path is not valid percent-encoding' };
  }
  if (isHttpLibraryError(error)) {
    const known = typeof error.type === 'string' ? BODY_PARSER_PROBLEMS[error.type] : undefined;
    if (known) return known;
    // Other client errors flagged safe to show by http-errors (e.g. a malformed URI parameter).
    if (typeof error.status === 'number' && error.status >= 400 && error.status < 500 && error.expose === true) {
      return { status: error.status, code: 'REQUEST.INVALID', message: error.message };
    }
  }
  return INTERNAL;
}

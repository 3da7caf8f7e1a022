import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { sendError } from './errorBody.js';
import { toHttpProblem } from './toHttpProblem.js';

/**
 * The one place errors become HTTP responses (SPEC §3). Unexpected errors are logged with their
 * stack and answered with a generic 500 — internal texts never reach the client.
 */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  const log = logger.child({ component: 'http-errors' });
  return (error: unknown, req, res, next) => {
    const problem = toHttpProblem(error);
    if (problem.status >= 500) {
      log.error({ err: error, method: req.method, url: req.originalUrl, code: problem.code }, 'Request failed');
    } else {
      log.debug({ method: req.method, url: req.originalUrl, code: problem.code }, 'Request rejected');
    }
    // Too late to send an error body; let Express close the connection.
    if (res.headersSent) return next(error);
    sendError(res, problem);
  };
}

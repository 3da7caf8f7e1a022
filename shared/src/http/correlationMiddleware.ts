import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { runWithContext, type RequestContext } from '../context/requestContext.js';
import { isValidTraceparent } from '../contracts/traceparent.js';

export const CORRELATION_HEADER = 'X-Correlation-Id';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function headerValue(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Mount first: adopts the caller's correlation id when it is a sane token (else makes one),
 * echoes it on every response and runs the rest of the request inside its context (SPEC §7).
 */
export function correlationMiddleware(): RequestHandler {
  return (req, res, next) => {
    const offered = headerValue(req.headers['x-correlation-id']);
    const traceparent = headerValue(req.headers.traceparent);
    const context: RequestContext = {
      correlationId: offered !== undefined && SANE_ID.test(offered) ? offered : randomUUID(),
      ...(traceparent !== undefined && isValidTraceparent(traceparent) ? { traceparent } : {}),
    };
    res.setHeader(CORRELATION_HEADER, context.correlationId);
    runWithContext(context, next);
  };
}

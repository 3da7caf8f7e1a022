import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { currentContext } from '../context/requestContext.js';

const QUIET_PATH = /^\/(health\/|metrics(\/|$|\?))/;

function correlationIdOf(req: IncomingMessage): string {
  return currentContext()?.correlationId ?? (typeof req.id === 'string' ? req.id : randomUUID());
}

/**
 * One line per request — method, url, status, duration, correlationId — and never a body or
 * header. Mount after correlationMiddleware so the ids agree.
 */
export function httpLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger: logger.child({ component: 'http' }),
    // The request id *is* the correlation id, bound as `correlationId` on req.log and the final line.
    genReqId: correlationIdOf,
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'correlationId', responseTime: 'durationMs' },
    autoLogging: { ignore: (req) => QUIET_PATH.test(req.url ?? '') },
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    customSuccessMessage: (req, res) => `${req.method} ${req.url} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${req.url} ${res.statusCode}`,
  }) as unknown as RequestHandler;
}

import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import { currentContext } from '../context/requestContext.js';
import { REDACT_PATHS, REDACTED } from './redactPaths.js';

export interface CreateLoggerOptions {
  service: string;
  level?: Level | 'silent';
  /** Where JSON lines go; stdout by default. Tests pass a capturing stream. */
  destination?: DestinationStream;
}

const CHINDINGS = pino.symbols.chindingsSym;

/** Adds the current unit of work's ids to every line, unless a child logger already bound them. */
function contextMixin(_mergeObject: object, _level: number, logger: Logger): Record<string, string> {
  const context = currentContext();
  if (!context) return {};
  const boundIds = (logger as unknown as Record<symbol, string | undefined>)[CHINDINGS] ?? '';
  if (boundIds.includes('"correlationId"')) return {};
  return context.causationId
    ? { correlationId: context.correlationId, causationId: context.causationId }
    : { correlationId: context.correlationId };
}

/** The platform's JSON logger (SPEC §7): one `service` field, correlation ids, PII and keys redacted. */
export function createLogger({ service, level = 'info', destination }: CreateLoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: contextMixin,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
  };
  return destination ? pino(options, destination) : pino(options);
}

export { createLogger, type CreateLoggerOptions } from './createLogger.js';
export { kafkaLogCreator } from './kafkaLogCreator.js';
export { REDACT_PATHS, REDACTED } from './redactPaths.js';
export { redactUrlCredentials } from './redactUrlCredentials.js';
export type { Logger } from 'pino';

import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

const PINO_LEVEL: Partial<Record<logLevel, 'error' | 'warn' | 'info' | 'debug'>> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** Sends kafkajs's own logs through pino (SPEC §7), as a `component: kafkajs` child. */
export function kafkaLogCreator(logger: Logger): logCreator {
  const log = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log: entry }) => {
      const pinoLevel = PINO_LEVEL[level];
      if (!pinoLevel) return;
      // kafkajs stamps its own timestamp and logger name; pino has both already.
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry;
      log[pinoLevel]({ namespace, ...fields }, message);
    };
}

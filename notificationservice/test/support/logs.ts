import { createLogger, type Logger } from '@orderplatform/shared/logging';

export const silentLogger = (): Logger => createLogger({ service: 'notificationservice-test', level: 'silent' });

/** The platform logger (same redaction) writing parsed JSON lines into `lines` and raw text into `raw`. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>>; raw: string[] } {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const logger = createLogger({
    service: 'notificationservice-test',
    level: 'debug',
    destination: {
      write(chunk: string) {
        raw.push(chunk);
        lines.push(JSON.parse(chunk) as Record<string, unknown>);
      },
    },
  });
  return { logger, lines, raw };
}

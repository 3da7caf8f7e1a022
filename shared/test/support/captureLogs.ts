import type { DestinationStream } from 'pino';

export type LogLine = Record<string, unknown> & { msg?: string; level?: string };

/** A pino destination that keeps every JSON line, parsed, for assertions. */
export function captureLogs(): { destination: DestinationStream; lines: LogLine[]; raw: string[] } {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  return {
    lines,
    raw,
    destination: {
      write(chunk: string) {
        raw.push(chunk);
        lines.push(JSON.parse(chunk) as LogLine);
      },
    },
  };
}

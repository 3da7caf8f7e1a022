import { existsSync, readFileSync } from 'node:fs';

/** A service's pino line, as the chaos scans read it. */
export interface LogLine {
  level?: string;
  time?: string;
  msg?: string;
}

/**
 * The JSON lines of `file` logged between `from` and `to` (epoch ms). `mayMatch` is a cheap text test
 * run before parsing, so a scan parses only the lines it could want. A missing file has none.
 */
export function* logLinesIn(file: string, from: number, to: number, mayMatch: (line: string) => boolean): Generator<LogLine> {
  if (!existsSync(file)) return;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!mayMatch(line)) continue;
    let entry: LogLine;
    try {
      entry = JSON.parse(line) as LogLine;
    } catch {
      continue;
    }
    const at = entry.time ? Date.parse(entry.time) : Number.NaN;
    if (at >= from && at <= to) yield entry;
  }
}

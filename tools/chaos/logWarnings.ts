import { existsSync, readFileSync } from 'node:fs';

export interface LogWarnings {
  /** Lines logged at warn or above between the two times. */
  count: number;
  /** Their most frequent messages, most frequent first. */
  top: Array<{ msg: string; times: number }>;
}

const LOUD = new Set(['warn', 'error', 'fatal']);

/** What the process(es) that wrote the JSON log `file` warned about between `from` and `to` (epoch ms). */
export function warningsIn(file: string, from: number, to: number, topN = 3): LogWarnings {
  const byMsg = new Map<string, number>();
  let count = 0;
  if (!existsSync(file)) return { count, top: [] };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.includes('"level":"warn"') && !line.includes('"level":"error"') && !line.includes('"level":"fatal"')) continue;
    let entry: { time?: string; level?: string; msg?: string };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    const at = entry.time ? Date.parse(entry.time) : Number.NaN;
    if (!LOUD.has(entry.level ?? '') || !(at >= from && at <= to)) continue;
    count += 1;
    const msg = entry.msg ?? '(no message)';
    byMsg.set(msg, (byMsg.get(msg) ?? 0) + 1);
  }
  const top = [...byMsg]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([msg, times]) => ({ msg, times }));
  return { count, top };
}

import { logLinesIn } from './serviceLogs.js';

export interface LogWarnings {
  /** Lines logged at warn or above between the two times. */
  count: number;
  /** Their most frequent messages, most frequent first. */
  top: Array<{ msg: string; times: number }>;
}

const LOUD = ['warn', 'error', 'fatal'];

/** What the process(es) that wrote the JSON log `file` warned about between `from` and `to` (epoch ms). */
export function warningsIn(file: string, from: number, to: number, topN = 3): LogWarnings {
  const byMsg = new Map<string, number>();
  let count = 0;
  const loud = (line: string) => LOUD.some((level) => line.includes(`"level":"${level}"`));
  for (const entry of logLinesIn(file, from, to, loud)) {
    if (!LOUD.includes(entry.level ?? '')) continue;
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

import { http } from '../../lib/http.js';
/** Prometheus counters of the running services, read from /metrics before and after a phase. */
export type Series = Map<string, number>;

/** Every sample of a /metrics page: `name{labels}` → value. Empty when the service does not answer. */
export async function scrape(baseUrl: string): Promise<Series> {
  const out: Series = new Map();
  try {
    const res = await http<string>('GET', `${baseUrl}/metrics`, undefined, {}, { timeoutMs: 10_000 });
    if (res.status !== 200) return out;
    for (const line of String(res.body).split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const cut = line.lastIndexOf(' ');
      out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
    }
  } catch {
    // a service that is down has no counters to give
  }
  return out;
}

const labelOf = (key: string, label: string): string | undefined => new RegExp(`[{,]${label}="([^"]*)"`).exec(key)?.[1];

/** Sum of a counter's samples whose labels match `where`, grouped by one label (or '' for all). */
export function sumBy(series: Series, name: string, by?: string, where: Record<string, string> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of series) {
    if (key !== name && !key.startsWith(`${name}{`)) continue;
    if (Object.entries(where).some(([label, want]) => labelOf(key, label) !== want)) continue;
    const group = by ? (labelOf(key, by) ?? '') : '';
    out[group] = (out[group] ?? 0) + value;
  }
  return out;
}

export const total = (series: Series, name: string, where: Record<string, string> = {}): number =>
  sumBy(series, name, undefined, where)[''] ?? 0;

/** after − before, per group. */
export function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [group, value] of Object.entries(after)) {
    const d = value - (before[group] ?? 0);
    if (d !== 0) out[group] = d;
  }
  return out;
}

/** Whether the service exports a counter at all (an older commit may not). */
export const hasCounter = (series: Series, name: string): boolean =>
  [...series.keys()].some((key) => key === name || key.startsWith(`${name}{`));

/**
 * Database commands and Kafka requests of each service over a phase (db_commands_total,
 * kafka_requests_total), per order: take() before, perOrder() after.
 */
export class CounterMeter {
  private before = new Map<string, Series>();

  constructor(private readonly services: Record<string, string>) {}

  async take(): Promise<this> {
    this.before = new Map(await Promise.all(Object.entries(this.services).map(async ([name, url]) => [name, await scrape(url)] as const)));
    return this;
  }

  async perOrder(orders: number): Promise<{ commandsPerOrder: Record<string, unknown>; kafkaRequestsPerOrder: Record<string, unknown> }> {
    const after = new Map(await Promise.all(Object.entries(this.services).map(async ([name, url]) => [name, await scrape(url)] as const)));
    const n = Math.max(1, orders);
    const round = (v: number) => Math.round((v / n) * 100) / 100;
    const per = (metric: string, by: string) => {
      const out: Record<string, unknown> = {};
      const detail: Record<string, Record<string, number>> = {};
      let sum = 0;
      let known = false;
      for (const [service, now] of after) {
        if (!hasCounter(now, metric)) continue;
        known = true;
        const d = delta(sumBy(now, metric, by), sumBy(this.before.get(service) ?? new Map(), metric, by));
        const serviceTotal = Object.values(d).reduce((a, b) => a + b, 0);
        sum += serviceTotal;
        out[service] = round(serviceTotal);
        detail[service] = Object.fromEntries(
          Object.entries(d)
            .sort(([, a], [, b]) => b - a)
            .map(([k, v]) => [k, round(v)]),
        );
      }
      // An older commit without the counters reports nothing rather than zeros.
      return known ? { ...out, total: round(sum), [`by${by[0]!.toUpperCase()}${by.slice(1)}`]: detail } : {};
    };
    return { commandsPerOrder: per('db_commands_total', 'command'), kafkaRequestsPerOrder: per('kafka_requests_total', 'api') };
  }
}

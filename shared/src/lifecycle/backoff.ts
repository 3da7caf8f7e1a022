/**
 * The kit's one backoff: the delay before the next try doubles from `baseDelayMs` with each failure,
 * up to `maxDelayMs`, with "equal jitter" (half fixed, half random) so that many partitions or
 * instances retrying at once spread out. Every retry loop of the kit waits with it: the reliable
 * consumer, the outbox relay, and the connect loops of the database, Kafka and the demo seed.
 */
export interface Backoff {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** A consumer's retries of one event. */
export interface RetryPolicy extends Backoff {
  /** Attempts in all, the first included, before the event goes to the DLT. */
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 10_000 };

/** Connecting to a dependency that is down (database, Kafka): about 1, 2, 4, 8 s, then every 5–10 s. */
export const RECONNECT_BACKOFF: Backoff = { baseDelayMs: 1_000, maxDelayMs: 10_000 };

/** The wait after `failedAttempts` failures in a row (1 for the first failure). */
export function backoffDelay(backoff: Backoff, failedAttempts: number, random: () => number = Math.random): number {
  const exp = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(exp / 2 + (exp / 2) * random());
}

/** Waits `ms`; with `unref` the timer alone does not keep the process alive (a background loop never blocks exit). */
export function sleep(ms: number, { unref = false }: { unref?: boolean } = {}): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (unref) timer.unref();
  });
}

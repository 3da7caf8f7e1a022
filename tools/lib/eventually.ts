/**
 * The one poll helper of the tests and tools. `eventually` polls `probe` until `accept` likes its value
 * and returns that value; it fails with `what` and the last value seen after `timeoutMs` (generous: the
 * machine is shared, and tests never assert on timing). A probe that throws ends the wait with its error.
 * `what` may be a function, read only when the wait fails (e.g. the last lines of a log).
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  accept: (value: T) => boolean,
  what: string | (() => string),
  timeoutMs = 45_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline)
      throw new Error(
        `${typeof what === 'function' ? what() : what}: not reached within ${timeoutMs} ms; last seen ${JSON.stringify(value)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** `eventually` for a yes/no condition. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs = 45_000,
  everyMs = 100,
): Promise<void> {
  await eventually(condition, (met) => met, what, timeoutMs, everyMs);
}

/**
 * Polls `probe` until its value has held steady (unchanged, compared as JSON) for `forMs` and returns
 * that value; fails with `what` when it keeps changing past `timeoutMs`.
 */
export async function holdsSteady<T>(
  probe: () => T | Promise<T>,
  what: string,
  { forMs, timeoutMs = 45_000, everyMs = 100 }: { forMs: number; timeoutMs?: number; everyMs?: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  let since = Date.now();
  for (;;) {
    if (Date.now() - since >= forMs) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: did not hold steady for ${forMs} ms within ${timeoutMs} ms; last seen ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    const next = await probe();
    if (JSON.stringify(next) !== JSON.stringify(value)) [value, since] = [next, Date.now()];
  }
}

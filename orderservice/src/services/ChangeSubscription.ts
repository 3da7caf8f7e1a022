/**
 * One long-poll's interest in one order. Changes are remembered between `reset()` and `wait()`, so a
 * change that lands while the waiter is reading the order is never missed.
 */
export class ChangeSubscription<T = unknown> {
  private changed = false;
  private wake: (() => void) | undefined;
  /** The state the last change signalled, when the writer passed it (saves the waiter a read). */
  private state: T | undefined;

  constructor(private readonly detach: () => void) {}

  /** Called by the notifier when the order changed, with its new state. */
  signal(state?: T): void {
    this.changed = true;
    this.state = state;
    this.wake?.();
  }

  /** Call right before reading the order: only changes after this read count. */
  reset(): void {
    this.changed = false;
    this.state = undefined;
  }

  /** The state a change since the last reset() carried, if any. */
  get latest(): T | undefined {
    return this.changed ? this.state : undefined;
  }

  /** Resolves at the next change (at once if one came since reset), after `ms`, or when a signal aborts. */
  wait(ms: number, ...signals: AbortSignal[]): Promise<void> {
    if (this.changed || signals.some((s) => s.aborted)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        for (const s of signals) s.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
      for (const s of signals) s.addEventListener('abort', done, { once: true });
    });
  }

  close(): void {
    this.wake?.();
    this.detach();
  }
}

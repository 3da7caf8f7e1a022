import type { Logger } from 'pino';

/**
 * A background pass that runs every `intervalMs` after the previous one ended (passes never overlap),
 * survives its own failures (logged, tried again next time) and stops cleanly: `stop()` lets the pass
 * in progress finish — passes check `stopping` between items to end early.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopRequested = false;

  constructor(
    private readonly opts: {
      intervalMs: number;
      /** One pass. */
      run: () => Promise<void>;
      log: Logger;
      /** Logged with the error when a pass fails, e.g. "Timeout sweep failed; will retry". */
      failureMessage: string;
    },
  ) {}

  get stopping(): boolean {
    return this.stopRequested;
  }

  start(): void {
    this.stopRequested = false;
    this.schedule();
  }

  /** No new pass starts; the one in progress finishes. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopRequested) return;
    this.timer = setTimeout(() => {
      this.running = this.opts
        .run()
        .catch((err: unknown) => this.opts.log.warn({ err }, this.opts.failureMessage))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.opts.intervalMs);
    this.timer.unref();
  }
}

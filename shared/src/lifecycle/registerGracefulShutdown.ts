import type { Logger } from 'pino';
import { tracingShutdownSteps } from '../tracing/tracingLifecycle.js';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

export interface GracefulShutdownOptions {
  logger: Logger;
  steps: readonly ShutdownStep[];
  /** SPEC §5: the whole shutdown must finish within 10 s. */
  timeoutMs?: number;
  exit?: (code: number) => void;
  signals?: readonly NodeJS.Signals[];
}

/** Starts the shutdown as if a signal had arrived; resolves once exit has been called. */
export type TriggerShutdown = (reason?: string) => Promise<void>;

/** Runs the steps in order; a failing step is logged and the rest still run. Stops early once `abandoned()` says so. */
export async function runShutdownSteps(steps: readonly ShutdownStep[], log: Logger, abandoned: () => boolean = () => false): Promise<void> {
  for (const step of steps) {
    if (abandoned()) return;
    try {
      await step.run();
      log.info({ step: step.name }, 'Shutdown step done');
    } catch (error) {
      log.error({ err: error, step: step.name }, 'Shutdown step failed');
    }
  }
}

/**
 * On SIGTERM/SIGINT runs the steps in order (a failing step is logged, the rest still run) and
 * exits 0; exits 1 if it takes longer than timeoutMs, or at once on a second signal.
 */
export function registerGracefulShutdown({
  logger,
  steps,
  timeoutMs = 10_000,
  exit = (code) => process.exit(code),
  signals = ['SIGTERM', 'SIGINT'],
}: GracefulShutdownOptions): TriggerShutdown {
  const log = logger.child({ component: 'shutdown' });
  let running: Promise<void> | undefined;
  let exited = false;

  const exitOnce = (code: number): void => {
    if (exited) return;
    exited = true;
    for (const signal of signals) process.off(signal, onSignal);
    exit(code);
  };

  // Last, so the spans of the work the other steps finish are exported too.
  const runSteps = (): Promise<void> => runShutdownSteps([...steps, ...tracingShutdownSteps()], log, () => exited);

  async function shutdown(reason = 'requested'): Promise<void> {
    log.info({ reason, timeoutMs }, 'Shutting down');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([runSteps().then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      log.error({ timeoutMs }, 'Shutdown timed out');
      exitOnce(1);
    } else {
      log.info('Shutdown complete');
      exitOnce(0);
    }
  }

  function trigger(reason?: string): Promise<void> {
    if (running) {
      log.warn({ reason }, 'Second shutdown request; exiting now');
      exitOnce(1);
      return running;
    }
    running = shutdown(reason);
    return running;
  }

  function onSignal(signal: NodeJS.Signals): void {
    void trigger(signal);
  }

  for (const signal of signals) process.on(signal, onSignal);
  return trigger;
}

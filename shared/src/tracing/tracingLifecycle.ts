/*
 * Kept on globalThis, not in a module variable: a bundled service (the Docker image) has one copy
 * of this module in its tracing bootstrap and another in main.js.
 */
const SHUTDOWN = Symbol.for('orderplatform.tracing.shutdown');
type Holder = { [SHUTDOWN]?: () => Promise<void> };

/** Set once tracing has started: flushes the spans still buffered, then stops exporting. */
export function setTracingShutdown(fn: () => Promise<void>): void {
  (globalThis as Holder)[SHUTDOWN] = fn;
}

/**
 * The last graceful-shutdown step while tracing runs (none otherwise): the spans of the final
 * requests and events reach the collector before the process exits.
 */
export function tracingShutdownSteps(): Array<{ name: string; run: () => Promise<void> }> {
  const holder = globalThis as Holder;
  const fn = holder[SHUTDOWN];
  if (!fn) return [];
  return [
    {
      name: 'tracing',
      run: async () => {
        delete holder[SHUTDOWN];
        await fn();
      },
    },
  ];
}

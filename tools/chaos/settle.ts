import type { GroupSubscription, Observer, QuietState } from './Observer.js';

export interface SettleResult {
  settled: boolean;
  waitedMs: number;
  last?: QuietState;
  summary: string;
}

const isQuiet = (s: QuietState) => s.pendingOrders === 0 && s.outboxBacklog === 0 && s.consumerLag === 0 && s.unsentNotifications === 0;
const describe = (s: QuietState) =>
  `${s.pendingOrders} PENDING orders, outbox backlog ${s.outboxBacklog}, consumer lag ${s.consumerLag}, unsent notifications ${s.unsentNotifications}`;

/**
 * Waits (bounded) until nothing is left to do: no PENDING order, every outbox empty, every consumer
 * group committed up to the end of its topic, every notification SENT — and the stored state has not
 * moved between two looks. Only then are the invariants judged, so a check never races the saga.
 */
export async function waitUntilQuiet(
  observer: Observer,
  groups: GroupSubscription[],
  timeoutMs: number,
  log: (line: string) => void,
): Promise<SettleResult> {
  const started = Date.now();
  let previous: QuietState | undefined;
  let lastLog = 0;
  for (;;) {
    let state: QuietState | undefined;
    try {
      state = await observer.quietState(groups);
    } catch (err) {
      log(`settle: could not read the state yet (${err instanceof Error ? err.message : String(err)})`);
    }
    const waitedMs = Date.now() - started;
    if (state && previous && isQuiet(state) && isQuiet(previous) && state.fingerprint === previous.fingerprint) {
      return { settled: true, waitedMs, last: state, summary: `quiet after ${(waitedMs / 1000).toFixed(1)} s: ${describe(state)}` };
    }
    if (state && Date.now() - lastLog > 3_000) {
      lastLog = Date.now();
      log(`settle: ${describe(state)}`);
    }
    if (waitedMs > timeoutMs) {
      return {
        settled: false,
        waitedMs,
        last: state ?? previous,
        summary: `not quiet after ${(waitedMs / 1000).toFixed(0)} s: ${state ? describe(state) : 'state unreadable'}`,
      };
    }
    previous = state;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

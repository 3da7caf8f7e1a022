import { createRequire } from 'node:module';

/** kafkajs' own interval for re-checking a queue that holds requests back (requestQueue/index.js). */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

/** The fields of kafkajs' RequestQueue that its scheduling reads (it has no typings of its own). */
interface RequestQueueInternals {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

interface RequestQueueClass {
  prototype: RequestQueueInternals;
}

let applied: boolean | undefined;

/**
 * Stops kafkajs 2.2.4's connections from waking up every millisecond while they have nothing to do
 * (tulios/kafkajs#1556 and #1704; the fix below is the one proposed there, never released).
 *
 * Each broker connection has a RequestQueue. After its first response, `checkPendingRequests` ends by
 * calling `scheduleCheckPendingRequests`, which computes `throttledUntil - Date.now()`. Unthrottled,
 * `throttledUntil` is -1, so the delay is negative; with nothing pending it is used as it is, Node
 * clamps it to 1 ms, and the timer calls `checkPendingRequests` again: a 1 ms loop per connection for
 * as long as the client lives. Measured on an idle order service: 64–84 ms of CPU per second with the
 * loop, 25 without it (the bench reports it as `endToEnd.idle`).
 *
 * With the fix, a queue with nothing pending and no throttle to wait out schedules nothing. Nothing is
 * lost by that: every way a request can wait re-checks the queue by itself. `push` schedules a check
 * when it holds a request back (too many in flight, or throttled), and a response or a request's
 * timeout calls `checkPendingRequests`, which sends what may go now.
 *
 * It patches the class's prototype, so it holds for every kafkajs client of the process; it is applied
 * once (createKafka calls it). A kafkajs whose scheduling reads differently (another version) is left
 * as it is, and the function returns false.
 */
export function stopIdleRequestQueueTimers(): boolean {
  if (applied !== undefined) return applied;
  const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as RequestQueueClass;
  const original = RequestQueue.prototype.scheduleCheckPendingRequests.toString();
  applied = original.includes('this.throttledUntil - Date.now()') && original.includes('this.pending.length > 0');
  if (!applied) return false;
  RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueInternals) {
    if (this.throttleCheckTimeoutId) return;
    const untilUnthrottled = this.throttledUntil - Date.now();
    if (this.pending.length === 0 && untilUnthrottled <= 0) return;
    const delay = this.pending.length > 0 && untilUnthrottled <= 0 ? CHECK_PENDING_REQUESTS_INTERVAL_MS : untilUnthrottled;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delay);
  };
  return true;
}

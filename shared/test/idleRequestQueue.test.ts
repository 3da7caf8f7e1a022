import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { stopIdleRequestQueueTimers } from '../src/kafka/idleRequestQueue.js';

/** kafkajs' own per-connection queue (no typings); the tests drive it as a connection does. */
interface Queue {
  push(request: { entry: Entry; expectResponse: boolean; sendRequest: () => void }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(ms: number): void;
  checkPendingRequests(): void;
  destroy(): void;
  throttleCheckTimeoutId: unknown;
}
interface Entry {
  correlationId: number;
  apiKey: number;
  apiName: string;
  apiVersion: number;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}
type QueueClass = new (options: Record<string, unknown>) => Queue;

const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as QueueClass;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function queue(maxInFlightRequests: number | null = null) {
  const q = new RequestQueue({
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: 'localhost:9092',
    logger: silent,
    isConnected: () => true,
  });
  // Counts the wake-ups, as the timer calls them (this.checkPendingRequests()).
  let checks = 0;
  const check = q.checkPendingRequests.bind(q);
  q.checkPendingRequests = () => {
    checks++;
    check();
  };
  const sent: number[] = [];
  const answered: number[] = [];
  let nextId = 1;
  const request = () => {
    const correlationId = nextId++;
    q.push({
      entry: {
        correlationId,
        apiKey: 1,
        apiName: 'Fetch',
        apiVersion: 11,
        resolve: () => answered.push(correlationId),
        reject: () => undefined,
      },
      expectResponse: true,
      sendRequest: () => sent.push(correlationId),
    });
    return correlationId;
  };
  const answer = (correlationId: number) => q.fulfillRequest({ correlationId, payload: Buffer.alloc(0), size: 0 });
  return { q, sent, answered, request, answer, checks: () => checks };
}

describe("kafkajs' request queue with the kit's scheduling (stopIdleRequestQueueTimers)", () => {
  beforeAll(() => {
    expect(stopIdleRequestQueueTimers(), 'kafkajs 2.2.4 scheduling recognised and patched').toBe(true);
  });

  it('sleeps once its last request is answered, instead of waking every millisecond', async () => {
    const { q, request, answer, answered, checks } = queue();
    answer(request());
    expect(answered).toEqual([1]);
    const before = checks();
    await sleep(200);
    // kafkajs 2.2.4 re-arms a 1 ms timer here for as long as the connection lives: ~100–200 checks.
    expect(checks() - before).toBe(0);
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  it('still sends a request held back by a full window as soon as one in flight is answered', async () => {
    const { q, request, answer, sent, answered } = queue(1);
    const first = request();
    const second = request();
    expect(sent).toEqual([first]);
    answer(first);
    expect(sent).toEqual([first, second]);
    answer(second);
    expect(answered).toEqual([first, second]);
    await sleep(30);
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  it('still sends a request held back by a broker throttle once the throttle is over', async () => {
    const { q, request, sent } = queue();
    q.maybeThrottle(60);
    const held = request();
    expect(sent).toEqual([]);
    await sleep(150);
    expect(sent).toEqual([held]);
    q.destroy();
  });
});

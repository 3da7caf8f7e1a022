import { describe, expect, it } from 'vitest';
import { backoffDelay, RECONNECT_BACKOFF } from '../src/lifecycle/backoff.js';

describe('retry backoff', () => {
  const policy = { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 5_000 };

  it('doubles per failed attempt, with jitter between half and all of the step', () => {
    expect([1, 2, 3].map((n) => backoffDelay(policy, n, () => 0))).toEqual([100, 200, 400]);
    expect([1, 2, 3].map((n) => backoffDelay(policy, n, () => 1))).toEqual([200, 400, 800]);
  });

  it('never waits longer than the cap', () => {
    expect(backoffDelay(policy, 30, () => 1)).toBe(5_000);
  });
});

describe('the reconnect backoff (database, Kafka, demo seed)', () => {
  it('waits about 1, 2, 4, 8 s after the first failures, then at most 10 s', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelay(RECONNECT_BACKOFF, n, () => 1))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
    expect(backoffDelay(RECONNECT_BACKOFF, 1, () => 0)).toBe(500);
  });
});

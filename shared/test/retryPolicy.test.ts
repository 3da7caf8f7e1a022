import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/kafka/retryPolicy.js';

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

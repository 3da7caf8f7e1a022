import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newClusterId } from '../../infra/local/lib/kafkaBroker.js';

describe('local Kafka cluster id', () => {
  it('never starts with "-", which the storage tool would read as an option', () => {
    // 0xf8 encodes to a leading '-' in base64url: the id the CI run once drew.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.from('0123456789abcdef')];
    const id = newClusterId(() => draws.shift()!);
    expect(draws).toHaveLength(0);
    expect(id).toBe(Buffer.from('0123456789abcdef').toString('base64url'));
  });

  it('is 22 base64url characters for 16 random bytes, over many draws', () => {
    for (let i = 0; i < 5000; i += 1) {
      const id = newClusterId(randomBytes);
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
  });
});

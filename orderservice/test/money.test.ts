import { describe, expect, it } from 'vitest';
import { fromCents, toCents, totalCents } from '../src/domain/money.js';

describe('money in integer cents', () => {
  it('totals 0.1 + 0.2 as exactly 0.30', () => {
    const lines = [0.1, 0.2].map((price) => ({ quantity: 1, unitPriceCents: toCents(price)! }));

    const total = totalCents(lines);

    expect(total).toBe(30);
    expect(fromCents(total)).toBe(0.3);
    expect(JSON.stringify(fromCents(total))).toBe('0.3');
  });

  it.each([
    [19.99, 1999],
    [5, 500],
    [0.01, 1],
    [1.1, 110],
    [1_000_000, 100_000_000],
  ])('reads %s as %i cents', (price, cents) => {
    expect(toCents(price)).toBe(cents);
  });

  it.each([1.005, 0.001, 19.999, 1e-7, -1, Number.NaN, Number.POSITIVE_INFINITY, 1e21])(
    'refuses %s: not a whole number of cents',
    (price) => {
      expect(toCents(price)).toBeUndefined();
    },
  );

  it('sums large orders exactly: 100 lines of 1000 × 999,999.99', () => {
    const lines = Array.from({ length: 100 }, () => ({ quantity: 1000, unitPriceCents: toCents(999_999.99)! }));

    const total = totalCents(lines);

    expect(total).toBe(9_999_999_900_000);
    expect(fromCents(total)).toBe(99_999_999_000);
  });

  it('sums many awkward prices without drift', () => {
    const lines = Array.from({ length: 100 }, () => ({ quantity: 3, unitPriceCents: toCents(0.07)! }));

    expect(fromCents(totalCents(lines))).toBe(21);
  });
});

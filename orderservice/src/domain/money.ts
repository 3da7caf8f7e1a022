/** Largest unit price accepted, in currency units. */
export const MAX_PRICE = 1_000_000;

/** Digits, optionally followed by one or two decimals: the only prices that are a whole number of cents. */
const WHOLE_CENTS = /^(\d+)(?:\.(\d{1,2}))?$/;

/**
 * The exact number of cents in an amount, or undefined when it is not a whole number of cents
 * (1.005, 1e-7, NaN, negative). It reads the shortest decimal form of the number — what the
 * client wrote in its JSON — instead of multiplying by 100, which drifts (1.005 * 100 = 100.49999…).
 */
export function toCents(amount: number): number | undefined {
  if (!Number.isFinite(amount)) return undefined;
  const match = WHOLE_CENTS.exec(String(amount));
  if (!match) return undefined;
  const cents = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(cents) ? cents : undefined;
}

export const hasWholeCents = (amount: number): boolean => toCents(amount) !== undefined;

/** Cents back to a currency amount; an integer divided by 100 prints with at most two decimals. */
export const fromCents = (cents: number): number => cents / 100;

/** Sum of quantity × unit price, in integer arithmetic. */
export function totalCents(lines: ReadonlyArray<{ quantity: number; unitPriceCents: number }>): number {
  const total = lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
  if (!Number.isSafeInteger(total)) throw new RangeError('Order total is too large to compute exactly');
  return total;
}

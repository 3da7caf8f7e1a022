/**
 * Splits a partition's messages into waves: wave i holds the i-th message of every key, in partition
 * order. Messages of one key are in successive waves, so a key's order holds however each wave is run;
 * messages without a key share one (so they stay in partition order too).
 */
export function splitIntoWaves<T>(items: readonly T[], keyOf: (item: T) => string | undefined): T[][] {
  const seen = new Map<string, number>();
  const waves: T[][] = [];
  for (const item of items) {
    const key = keyOf(item) ?? '';
    const index = seen.get(key) ?? 0;
    seen.set(key, index + 1);
    (waves[index] ??= []).push(item);
  }
  return waves;
}

/** How many items from the start are done: the offset may be resolved up to the last of them, never past an unfinished one. */
export function donePrefix<T>(items: readonly T[], isDone: (item: T) => boolean): number {
  let n = 0;
  while (n < items.length && isDone(items[n]!)) n += 1;
  return n;
}

import fc from 'fast-check';

/**
 * How hard the fuzz tests push. The normal test command runs a bounded quick form; `npm run fuzz`
 * sets FUZZ_RUNS=1000 for a long run. FUZZ_SEED replays a failing run exactly (the seed is printed
 * with every failure).
 */
export const FUZZ_RUNS = positiveInt(process.env.FUZZ_RUNS, 60);
export const FUZZ_SEED = integer(process.env.FUZZ_SEED, 20_261_122);

function positiveInt(raw: string | undefined, fallback: number): number {
  const value = Number(raw);
  return raw !== undefined && Number.isSafeInteger(value) && value > 0 ? value : fallback;
}

function integer(raw: string | undefined, fallback: number): number {
  const value = Number(raw);
  return raw !== undefined && raw !== '' && Number.isSafeInteger(value) ? value : fallback;
}

/**
 * fc.assert of an async property with the shared seed and `runs` runs; a failure names the seed to
 * replay it (fast-check's own message adds the counterexample, shrunk, and its path).
 */
export async function checkProperty<Ts>(property: fc.IAsyncPropertyWithHooks<Ts>, runs: number): Promise<void> {
  try {
    await fc.assert(property, { seed: FUZZ_SEED, numRuns: runs });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n\nReplay with FUZZ_SEED=${FUZZ_SEED} FUZZ_RUNS=${runs}.`, { cause: error });
  }
}

/** A per-test timeout that grows with the number of runs (a run is one or a few real round trips). */
export const timeoutFor = (runs: number, perRunMs: number, baseMs = 60_000): number => baseMs + runs * perRunMs;

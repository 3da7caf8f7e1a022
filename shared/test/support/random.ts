/** A small deterministic random source (an LCG), so a run can be repeated from its seed (chaos --seed, tests). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

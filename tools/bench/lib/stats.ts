/** Nearest-rank percentile of a list of numbers (ms). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[rank]! * 100) / 100;
}

export function summarize(values: number[]): { count: number; p50: number; p99: number; max: number; mean: number } {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: percentile(values, 100),
    mean: Math.round((values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)) * 100) / 100,
  };
}

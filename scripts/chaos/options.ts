import path from 'node:path';
import { parseArgs } from 'node:util';

export interface ChaosOptions {
  quick: boolean;
  /** Seconds of order load; the load goes on past it until every fault has been injected and recovered. */
  durationS: number;
  /** Orders per second (open loop). */
  rate: number;
  /** Longest wait, after the load, for every order to settle and the system to go quiet. */
  settleTimeoutS: number;
  /** Pause between two faults, so each recovery is seen under load before the next fault. */
  faultGapS: number;
  products: number;
  stockPerProduct: number;
  seed: number;
  reportPath: string;
}

const USAGE = `npm run chaos -- [--quick] [--duration S] [--rate R] [--settle-timeout S] [--seed N] [--report FILE]`;

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number (got ${JSON.stringify(value)}); usage: ${USAGE}`);
  return n;
}

export function parseOptions(argv: string[], root: string): ChaosOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      rate: { type: 'string' },
      'settle-timeout': { type: 'string' },
      seed: { type: 'string' },
      report: { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  return {
    quick,
    durationS: positive('duration', values.duration, quick ? 15 : 90),
    // Quick runs share a 2-core machine with the rest of the test suite: a lighter load keeps the settle bounded.
    rate: positive('rate', values.rate, quick ? 10 : 20),
    settleTimeoutS: positive('settle-timeout', values['settle-timeout'], quick ? 120 : 180),
    faultGapS: quick ? 1.5 : 10,
    products: 5,
    stockPerProduct: 200,
    seed: Math.floor(positive('seed', values.seed, Date.now() % 1_000_000)),
    reportPath: path.resolve(values.report ?? path.join(root, 'results', 'chaos-latest.json')),
  };
}

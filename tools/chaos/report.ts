import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CheckResult } from './checks.js';

const useColor = process.stdout.isTTY;
const paint = (code: number, s: string) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);

export function printSummary(checks: CheckResult[], figures: Array<[string, string]>): void {
  console.log('\n== Chaos summary');
  const width = Math.max(...figures.map(([k]) => k.length));
  for (const [k, v] of figures) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log('');
  for (const c of checks) {
    console.log(`  ${c.pass ? paint(32, 'PASS') : paint(31, 'FAIL')}  ${c.name}`);
    console.log(`        ${c.summary}`);
    for (const v of c.violations ?? []) console.log(`        - ${JSON.stringify(v)}`);
  }
  const failed = checks.filter((c) => !c.pass).length;
  console.log(
    `\n  ${failed === 0 ? paint(32, `ALL ${checks.length} CHECKS PASS`) : paint(31, `${failed} OF ${checks.length} CHECKS FAIL`)}`,
  );
}

export function writeReport(file: string, report: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

import { REPO_ROOT } from '../../lib/serviceProcess.js';

export const ROOT = REPO_ROOT;

/** A one-line progress display that rewrites itself on a terminal and prints sparingly otherwise. */
export function progress(label: string): { update(text: string): void; done(text: string): void } {
  let last = 0;
  return {
    update(text) {
      if (process.stdout.isTTY) process.stdout.write(`\r  ${label}: ${text}\x1b[K`);
      else if (Date.now() - last > 2_000) {
        last = Date.now();
        console.log(`  ${label}: ${text}`);
      }
    },
    done(text) {
      if (process.stdout.isTTY) process.stdout.write(`\r  ${label}: ${text}\x1b[K\n`);
      else console.log(`  ${label}: ${text}`);
    },
  };
}

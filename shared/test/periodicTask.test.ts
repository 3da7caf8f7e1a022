import { describe, expect, it } from 'vitest';
import { PeriodicTask } from '../src/lifecycle/PeriodicTask.js';
import { capturingLogger } from './support/testOrders.js';

const until = async (condition: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('PeriodicTask', () => {
  it('runs pass after pass without overlap, goes on after a failing pass (logged), and stop() waits for the pass in progress', async () => {
    const { logger, lines } = capturingLogger();
    let active = 0;
    let overlapped = false;
    let passes = 0;
    let finished = 0;
    const task = new PeriodicTask({
      intervalMs: 5,
      log: logger,
      failureMessage: 'Pass failed; will retry',
      run: async () => {
        passes += 1;
        active += 1;
        overlapped ||= active > 1;
        await new Promise((r) => setTimeout(r, 15));
        active -= 1;
        finished += 1;
        if (passes === 2) throw new Error('boom');
      },
    });

    task.start();
    await until(() => passes >= 4);
    await task.stop();
    const afterStop = passes;
    await new Promise((r) => setTimeout(r, 50));

    expect(overlapped).toBe(false);
    expect(finished).toBe(passes); // the pass in progress at stop() finished before stop() resolved
    expect(passes).toBe(afterStop); // nothing ran after stop
    expect(task.stopping).toBe(true);
    expect(lines.filter((l) => l.msg === 'Pass failed; will retry')).toHaveLength(1);
  });
});

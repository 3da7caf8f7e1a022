import { describe, expect, it, vi } from 'vitest';
import { registerGracefulShutdown } from '../src/lifecycle/index.js';
import { createLogger } from '../src/logging/index.js';
import { captureLogs } from './support/captureLogs.js';

function setup(steps: Array<{ name: string; run: () => Promise<void> }>, timeoutMs = 1000) {
  const logs = captureLogs();
  const logger = createLogger({ service: 'test-service', destination: logs.destination });
  const exit = vi.fn();
  const shutdown = registerGracefulShutdown({ logger, steps, timeoutMs, exit });
  return { shutdown, exit, logs };
}

const tick = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('registerGracefulShutdown', () => {
  it('when triggered, runs every step in order and then exits 0', async () => {
    const ran: string[] = [];
    const { shutdown, exit } = setup([
      { name: 'http', run: async () => void ran.push('http') },
      { name: 'consumers', run: async () => (await tick(10), void ran.push('consumers')) },
      { name: 'mongo', run: async () => void ran.push('mongo') },
    ]);

    await shutdown('test');

    expect(ran).toEqual(['http', 'consumers', 'mongo']);
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('when a step fails, logs it, still runs the next steps and exits 0', async () => {
    const ran: string[] = [];
    const { shutdown, exit, logs } = setup([
      { name: 'outbox', run: async () => Promise.reject(new Error('flush failed')) },
      { name: 'mongo', run: async () => void ran.push('mongo') },
    ]);

    await shutdown();

    expect(ran).toEqual(['mongo']);
    expect(logs.lines.find((line) => line.msg === 'Shutdown step failed')).toMatchObject({ level: 'error', step: 'outbox' });
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('when the steps take longer than the timeout, exits 1 and skips the remaining steps', async () => {
    const ran: string[] = [];
    const { shutdown, exit, logs } = setup(
      [
        { name: 'stuck', run: () => new Promise<void>(() => undefined) },
        { name: 'never', run: async () => void ran.push('never') },
      ],
      50,
    );

    await shutdown();

    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(1);
    expect(ran).toEqual([]);
    expect(logs.lines.some((line) => line.msg === 'Shutdown timed out')).toBe(true);
  });

  it('when SIGTERM arrives, shuts down; a second signal meanwhile exits 1 at once', async () => {
    let release: () => void = () => undefined;
    const listenersBefore = process.listenerCount('SIGTERM');
    const { exit } = setup([{ name: 'slow', run: () => new Promise<void>((resolve) => (release = resolve)) }]);

    process.emit('SIGTERM');
    await tick(5);
    process.emit('SIGINT');

    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(1);
    release();
    await tick(5);
    expect(exit).toHaveBeenCalledTimes(1);
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore);
  });
});

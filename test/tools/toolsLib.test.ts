import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { eventually, holdsSteady, until } from '../../tools/lib/eventually.js';
import { request } from '../../tools/lib/http.js';
import { freePort } from '../../tools/lib/serviceProcess.js';

describe('tools/lib poll helpers', () => {
  it('eventually returns the first accepted value, and names the wait and the last value when it never comes', async () => {
    let n = 0;
    expect(
      await eventually(
        () => ++n,
        (v) => v === 3,
        'count',
        2_000,
        1,
      ),
    ).toBe(3);

    let reads = 0;
    const failure = await eventually(
      () => 'no',
      (v) => v === 'yes',
      () => `answer (read ${++reads} time)`,
      50,
      5,
    ).catch((e: Error) => e);
    expect((failure as Error).message).toBe('answer (read 1 time): not reached within 50 ms; last seen "no"');
  });

  it('until waits for a yes/no condition; a probe that throws ends the wait with its error', async () => {
    let n = 0;
    await until(() => ++n >= 2, 'two reads', 2_000, 1);
    expect(n).toBe(2);
    await expect(until(() => Promise.reject(new Error('probe broke')), 'x', 2_000)).rejects.toThrow('probe broke');
  });

  it('holdsSteady returns only once the value has stayed the same for the whole window, restarting it on every change', async () => {
    const started = Date.now();
    const value = () => (Date.now() - started < 150 ? Math.floor((Date.now() - started) / 50) : 3);

    const steady = await holdsSteady(value, 'joins', { forMs: 200, timeoutMs: 5_000, everyMs: 10 });

    expect(steady).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150 + 200);
  });

  it('holdsSteady fails when the value keeps changing past the timeout', async () => {
    let n = 0;
    await expect(holdsSteady(() => ++n, 'joins', { forMs: 100, timeoutMs: 150, everyMs: 10 })).rejects.toThrow(
      /joins: did not hold steady for 100 ms within 150 ms/,
    );
  });
});

describe('tools/lib request', () => {
  it('tells a refused connection (an error, not timed out) from an answer', async () => {
    const outcome = await request('GET', `http://127.0.0.1:${await freePort()}/`, undefined, {}, 2_000);
    expect(outcome).toMatchObject({ kind: 'error', timedOut: false });
  });

  it('tells a service that accepts but never answers (timed out) from a refusal', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const outcome = await request('GET', `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/`, undefined, {}, 200);
      expect(outcome).toMatchObject({ kind: 'error', timedOut: true });
    } finally {
      silent.close();
    }
  });
});

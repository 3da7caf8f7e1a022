import { applyWaveConcurrently } from '../src/kafka/applyWaveConcurrently.js';
import { describe, expect, it } from 'vitest';
import { donePrefix, splitIntoWaves } from '../src/kafka/waves.js';

const msg = (key: string | undefined, n: number) => ({ key, n });

describe('per-key waves', () => {
  it('puts the i-th message of every key in wave i, each wave in partition order', () => {
    const batch = [msg('a', 1), msg('b', 2), msg('a', 3), msg('c', 4), msg('a', 5), msg('b', 6)];
    expect(splitIntoWaves(batch, (m) => m.key).map((wave) => wave.map((m) => m.n))).toEqual([[1, 2, 4], [3, 6], [5]]);
  });

  it('keeps every key’s messages in order across the waves, and loses or doubles none', () => {
    const keys = ['a', 'b', 'c', undefined];
    const batch = Array.from({ length: 200 }, (_, n) => msg(keys[(n * 7 + (n >> 3)) % keys.length], n));
    const waves = splitIntoWaves(batch, (m) => m.key);
    expect(
      waves
        .flat()
        .map((m) => m.n)
        .sort((x, y) => x - y),
    ).toEqual(batch.map((m) => m.n));
    for (const wave of waves) expect(new Set(wave.map((m) => m.key)).size).toBe(wave.length);
    for (const key of keys) {
      const inWaves = waves.flatMap((wave) => wave.filter((m) => m.key === key).map((m) => m.n));
      expect(inWaves).toEqual(batch.filter((m) => m.key === key).map((m) => m.n));
    }
  });

  it('treats messages without a key as one key (so they keep partition order), and an empty batch as no wave', () => {
    expect(splitIntoWaves([msg(undefined, 1), msg(undefined, 2)], (m) => m.key).map((w) => w.map((m) => m.n))).toEqual([[1], [2]]);
    expect(splitIntoWaves([], () => 'x')).toEqual([]);
  });

  it('counts the done prefix up to the first unfinished message, never past it', () => {
    expect(donePrefix([true, true, false, true], (d) => d)).toBe(2);
    expect(donePrefix([false, true], (d) => d)).toBe(0);
    expect(donePrefix([true, true], (d) => d)).toBe(2);
  });
});

describe('applyWaveConcurrently', () => {
  const waveOf = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      event: { eventId: `e${i}` } as never,
      meta: {} as never,
      context: {} as never,
      run: <R>(work: () => Promise<R>) => work(),
    }));

  it('applies every event, at most `limit` at a time, and reports each failure at its own index', async () => {
    let inFlight = 0;
    let peak = 0;
    const outcomes = await applyWaveConcurrently(
      waveOf(10),
      async (event: { eventId: string }) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
        if (event.eventId === 'e3' || event.eventId === 'e7') throw new Error(`bad ${event.eventId}`);
      },
      4,
    );
    expect(peak).toBe(4);
    expect(outcomes.map((o) => (o instanceof Error ? o.message : o))).toEqual([
      undefined,
      undefined,
      undefined,
      'bad e3',
      undefined,
      undefined,
      undefined,
      'bad e7',
      undefined,
      undefined,
    ]);
  });
});

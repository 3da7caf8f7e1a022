import type { EventType } from '../contracts/events.js';
import type { WaveEvent, WaveOutcomes } from './ReliableConsumer.js';

/**
 * A wave handler's usual body: each event (a wave holds one per key, so no two of one order) applied on
 * its own, in its event's correlation context and consume span, at most `limit` at a time; per event
 * `undefined` when it applied or the error it failed with. Events of one wave touch different orders, so
 * running them side by side keeps every order's sequence while the database round trips overlap.
 */
export async function applyWaveConcurrently<T extends EventType>(
  wave: ReadonlyArray<WaveEvent<T>>,
  apply: (event: WaveEvent<T>['event']) => Promise<unknown>,
  limit = 8,
): Promise<WaveOutcomes> {
  const outcomes: unknown[] = new Array(wave.length).fill(undefined);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < wave.length) {
      const i = next++;
      const { event, run } = wave[i]!;
      try {
        await run(() => apply(event));
      } catch (err) {
        outcomes[i] = err ?? new Error('failed');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, wave.length) }, worker));
  return outcomes;
}

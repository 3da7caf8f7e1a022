import { backoffDelay, RECONNECT_BACKOFF, sleep } from '../lifecycle/backoff.js';
import type { Logger } from '../logging/index.js';

/**
 * Runs a service's demo seed once the database answers. A service starts without its database
 * (SPEC §5), so the seed retries in the background instead of blocking or failing start-up. The
 * collections and their unique indexes are created first (`prepareDatabase`): they are what keeps
 * two instances seeding at once from inserting a document twice.
 */
export async function seedWhenReady(
  what: string,
  seed: () => Promise<unknown>,
  prepareDatabase: () => Promise<void>,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const log = logger.child({ component: 'seed' });
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      await prepareDatabase();
      await seed();
      return;
    } catch (err) {
      const delay = backoffDelay(RECONNECT_BACKOFF, attempt);
      log.warn({ err, attempt, retryInMs: delay }, `Could not seed ${what} yet; retrying`);
      await sleep(delay, { unref: true });
    }
  }
}

import type { Connection } from 'mongoose';
import type { Logger } from '../logging/index.js';
import { backoffDelay, RECONNECT_BACKOFF, sleep } from '../lifecycle/backoff.js';
import { initModels } from '../persistence/connectDatabase.js';

/**
 * Runs a service's demo seed once the database answers. A service starts without its database
 * (SPEC §5), so the seed retries in the background instead of blocking or failing start-up. The
 * collections and their unique indexes are created first: they are what keeps two instances seeding
 * at once from inserting a document twice.
 */
export async function seedWhenReady(what: string, seed: () => Promise<unknown>, connection: Connection, logger: Logger, signal: AbortSignal): Promise<void> {
  const log = logger.child({ component: 'seed' });
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      await initModels(connection);
      await seed();
      return;
    } catch (err) {
      const delay = backoffDelay(RECONNECT_BACKOFF, attempt);
      log.warn({ err, attempt, retryInMs: delay }, `Could not seed ${what} yet; retrying`);
      await sleep(delay, { unref: true });
    }
  }
}

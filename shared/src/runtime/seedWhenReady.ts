import type { Logger } from '../logging/index.js';

/**
 * Runs a service's demo seed once the database answers. A service starts without its database
 * (SPEC §5), so the seed retries in the background instead of blocking or failing start-up. The
 * collections and their unique indexes are created first (`prepareDatabase`): they are what keeps
 * two instances seeding at once from inserting a document twice.
 */
export async function seedWhenReady(what: string, seed: () => Promise<unknown>, prepareDatabase: () => Promise<void>, logger: Logger, signal: AbortSignal): Promise<void> {
  const log = logger.child({ component: 'seed' });
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      await prepareDatabase();
      await seed();
      return;
    } catch (err) {
      const delay = Math.min(10_000, 500 * 2 ** Math.min(attempt, 5));
      log.warn({ err, attempt, retryInMs: delay }, `Could not seed ${what} yet; retrying`);
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
    }
  }
}

import { initModels, type Logger } from '@orderplatform/shared';
import type { Connection } from 'mongoose';
import type { InventoryService } from './services/InventoryService.js';

/**
 * Seeds the demo catalog once the database answers. The service starts without its database
 * (SPEC §5), so the seed retries in the background instead of blocking or failing start-up. The
 * collections and the unique productId index are created first: that index is what keeps two
 * instances seeding at once from inserting a product twice.
 */
export async function seedWhenReady(inventory: InventoryService, connection: Connection, logger: Logger, signal: AbortSignal): Promise<void> {
  const log = logger.child({ component: 'seed' });
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      await initModels(connection);
      await inventory.seedDemoCatalog();
      return;
    } catch (err) {
      const delay = Math.min(10_000, 500 * 2 ** Math.min(attempt, 5));
      log.warn({ err, attempt, retryInMs: delay }, 'Could not seed the demo catalog yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
    }
  }
}

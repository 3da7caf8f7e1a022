import type { Logger } from '@orderplatform/shared/logging';
import { seedWhenReady as runSeed } from '@orderplatform/shared/runtime';
import type { Connection } from 'mongoose';
import type { InventoryService } from './services/InventoryService.js';

/** Seeds the demo catalog once the database answers (shared seedWhenReady: retried in the background). */
export function seedWhenReady(inventory: InventoryService, connection: Connection, logger: Logger, signal: AbortSignal): Promise<void> {
  return runSeed('the demo catalog', () => inventory.seedDemoCatalog(), connection, logger, signal);
}

import { defineServiceConfig, loadConfigOrExit } from '@orderplatform/shared/config';
import { z } from 'zod';

export const SERVICE_NAME = 'inventoryservice';

/** inventoryservice's environment (SPEC §8); the shared variables come from defineServiceConfig. */
export const ConfigSchema = defineServiceConfig(
  {
    /** Seed the demo catalog (products "1"…"10", 100 units each) into an empty database (SPEC §3). */
    SEED_CATALOG: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    CONSUMER_GROUP_ID: z.string().min(1).default('inventoryservice'),
    /** How often stock still held for an ended reservation (a stale consumer's late hold) is given back. */
    HOLD_RECONCILE_INTERVAL_MS: z.coerce.number().int().positive().default(30_000),
    /**
     * How old a product's in-flight marker must be before the reconciler finishes it: a live handler
     * finishes its steps within a consumer session timeout (10 s), so a few of those.
     */
    HOLD_MARKER_GRACE_MS: z.coerce.number().int().nonnegative().default(60_000),
  },
  { port: 3003, dbName: 'inventorydb', serviceName: SERVICE_NAME },
);

export type Config = z.output<typeof ConfigSchema>;

export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfigOrExit(ConfigSchema, env);

import { customerAuthConfigShape, defineServiceConfig, loadConfigOrExit } from '@orderplatform/shared/config';
import { z } from 'zod';

export const SERVICE_NAME = 'orderservice';

/** orderservice's environment (SPEC §8); the shared variables come from defineServiceConfig. */
export const ConfigSchema = defineServiceConfig(
  {
    /** Orders still PENDING after this long are cancelled with reason TIMEOUT (SPEC §5). */
    ORDER_PENDING_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .positive()
      .default(5 * 60_000),
    /** How often the timeout sweeper looks for stale PENDING orders. */
    ORDER_TIMEOUT_SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(30_000),
    /**
     * Long-polls re-read the order this often, so a change written by another instance (which the
     * in-process notifier cannot see) is noticed without waiting for the whole timeout.
     */
    ORDER_WAIT_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(10_000).default(500),
    /** The longest long-poll a client may ask for (`timeoutMs`) and the default one; SPEC §3 caps it at 30 s. */
    ORDER_MAX_WAIT_MS: z.coerce.number().int().min(100).max(30_000).default(30_000),
    CONSUMER_GROUP_ID: z.string().min(1).default('orderservice'),
    /** Bearer tokens of the customer-scoped routes (SPEC §6). */
    ...customerAuthConfigShape(),
  },
  { port: 3001, dbName: 'orderdb', serviceName: SERVICE_NAME },
);

export type Config = z.output<typeof ConfigSchema>;

export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfigOrExit(ConfigSchema, env);

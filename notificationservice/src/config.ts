import { customerAuthConfigShape, defineServiceConfig, loadConfigOrExit } from '@orderplatform/shared/config';
import { z } from 'zod';

export const SERVICE_NAME = 'notificationservice';

/** notificationservice's environment (SPEC §8); the shared variables come from defineServiceConfig. */
export const ConfigSchema = defineServiceConfig(
  {
    /** Probability (0–1) that the mock email / SMS provider fails a send, to watch retries and the DLT. */
    MOCK_EMAIL_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
    MOCK_SMS_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
    /** Seed contact preferences for the demo customers ("123", "456", "789") into an empty database (SPEC §3). */
    SEED_DEMO_CONTACTS: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    CONSUMER_GROUP_ID: z.string().min(1).default('notificationservice'),
    /** Bearer tokens of the customer-scoped routes (SPEC §6). */
    ...customerAuthConfigShape(),
    /** Handler attempts per event (the first included) before it goes to the DLT; tests lower it. */
    NOTIFICATION_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
    /**
     * How long one handler may hold a (event, channel) send before another may take it over. Longer
     * than a provider call; short enough that a crashed holder is taken over well within the retries.
     */
    NOTIFICATION_SEND_LEASE_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  },
  { port: 3002, dbName: 'notificationdb', serviceName: SERVICE_NAME },
);

export type Config = z.output<typeof ConfigSchema>;

export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfigOrExit(ConfigSchema, env);

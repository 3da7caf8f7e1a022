import { defineServiceConfig, loadConfigOrExit } from '@orderplatform/shared';
import { z } from 'zod';

export const SERVICE_NAME = 'notificationservice';

/** notificationservice's environment (SPEC §8); the shared variables come from defineServiceConfig. */
export const ConfigSchema = defineServiceConfig(
  {
    /** Probability (0–1) that the mock email / SMS provider fails a send, to watch retries and the DLT. */
    MOCK_EMAIL_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
    MOCK_SMS_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
    CONSUMER_GROUP_ID: z.string().min(1).default('notificationservice'),
  },
  { port: 3002, dbName: 'notificationdb', serviceName: SERVICE_NAME },
);

export type Config = z.output<typeof ConfigSchema>;

export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfigOrExit(ConfigSchema, env);

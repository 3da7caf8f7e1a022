import { z } from 'zod';
import {
  baseConfigShape,
  DEV_ADMIN_API_KEY,
  MIN_PRODUCTION_ADMIN_KEY_LENGTH,
  type BaseConfigShape,
  type ServiceConfigDefaults,
} from './baseConfigShape.js';

type RawEnv = Record<string, unknown>;

/** Outside production a missing key falls back to the dev key, so the local stack just works. */
function withDevAdminKey(input: unknown): unknown {
  if (typeof input !== 'object' || input === null) return input;
  const env = input as RawEnv;
  if (env.NODE_ENV === 'production' || env.ADMIN_API_KEY !== undefined) return env;
  return { ...env, ADMIN_API_KEY: DEV_ADMIN_API_KEY };
}

/**
 * A service's config schema: the shared variables plus its own. The result parses an
 * environment object (see loadConfig) into a typed config.
 */
export function defineServiceConfig<Extra extends z.ZodRawShape>(extraShape: Extra, defaults: ServiceConfigDefaults) {
  const schema = z
    .object({ ...baseConfigShape(defaults), ...extraShape })
    // Runs even when other variables are bad, so the one error line lists every problem.
    .superRefine(
      (config, ctx) => {
        const { NODE_ENV, ADMIN_API_KEY, KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS } = config as RawEnv;
        if (typeof KAFKA_REPLICATION_FACTOR === 'number' && typeof KAFKA_MIN_INSYNC_REPLICAS === 'number' && KAFKA_MIN_INSYNC_REPLICAS > KAFKA_REPLICATION_FACTOR) {
          ctx.addIssue({ code: 'custom', path: ['KAFKA_MIN_INSYNC_REPLICAS'], message: 'must not exceed KAFKA_REPLICATION_FACTOR (no acks=all write could succeed)' });
        }
        if (NODE_ENV === 'production' && typeof ADMIN_API_KEY === 'string' && ADMIN_API_KEY.length < MIN_PRODUCTION_ADMIN_KEY_LENGTH) {
          ctx.addIssue({
            code: 'custom',
            path: ['ADMIN_API_KEY'],
            message: `must be at least ${MIN_PRODUCTION_ADMIN_KEY_LENGTH} characters when NODE_ENV=production`,
          });
        }
      },
      { when: () => true },
    );
  return z.preprocess(withDevAdminKey, schema);
}

/** The shared part of every service's config, for code in `shared` that needs only that. */
export function baseConfigSchema(defaults: ServiceConfigDefaults) {
  return defineServiceConfig({}, defaults);
}

export type BaseConfig = z.output<z.ZodObject<BaseConfigShape>>;

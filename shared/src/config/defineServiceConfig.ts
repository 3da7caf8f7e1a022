import { z } from 'zod';
import {
  baseConfigShape,
  DEV_ADMIN_API_KEY,
  MIN_PRODUCTION_ADMIN_KEY_LENGTH,
  type BaseConfigShape,
  type ServiceConfigDefaults,
} from './baseConfigShape.js';
import { DEV_AUTH_JWT_SECRET, MIN_PRODUCTION_JWT_SECRET_LENGTH } from './customerAuthConfigShape.js';

type RawEnv = Record<string, unknown>;

/** A secret with a published dev value: used when unset outside production, refused in production (SPEC §6). */
interface ProductionSecret {
  variable: string;
  devValue: string;
  minLength: number;
}

const PRODUCTION_SECRETS: readonly ProductionSecret[] = [
  { variable: 'ADMIN_API_KEY', devValue: DEV_ADMIN_API_KEY, minLength: MIN_PRODUCTION_ADMIN_KEY_LENGTH },
  { variable: 'AUTH_JWT_SECRET', devValue: DEV_AUTH_JWT_SECRET, minLength: MIN_PRODUCTION_JWT_SECRET_LENGTH },
];

/** Outside production a missing secret falls back to its dev value, so the local stack just works. */
function withDevSecrets(secrets: readonly ProductionSecret[]) {
  return (input: unknown): unknown => {
    if (typeof input !== 'object' || input === null) return input;
    const env = input as RawEnv;
    if (env.NODE_ENV === 'production') return env;
    const missing = secrets.filter((s) => env[s.variable] === undefined);
    return missing.length === 0 ? env : { ...env, ...Object.fromEntries(missing.map((s) => [s.variable, s.devValue])) };
  };
}

/** Why a production secret is refused, or undefined when it is fine. Never repeats the value. */
function productionProblem(secret: ProductionSecret, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined; // missing: the field's own "is required" message
  if (value === secret.devValue)
    return 'must not be the published dev value when NODE_ENV=production (generate one, e.g. openssl rand -hex 32)';
  if (value.length < secret.minLength) return `must be at least ${secret.minLength} characters when NODE_ENV=production`;
  return undefined;
}

/**
 * A config schema over any shape that has NODE_ENV: the published-dev-value secrets it contains get
 * their dev value outside production and are refused in production when missing, short or the dev value.
 */
export function defineConfig<Shape extends z.ZodRawShape>(shape: Shape) {
  const secrets = PRODUCTION_SECRETS.filter((s) => s.variable in shape);
  const schema = z
    .object(shape)
    // Runs even when other variables are bad, so the one error line lists every problem.
    .superRefine(
      (config, ctx) => {
        const env = config as RawEnv;
        const { KAFKA_REPLICATION_FACTOR: rf, KAFKA_MIN_INSYNC_REPLICAS: minIsr } = env;
        if (typeof rf === 'number' && typeof minIsr === 'number' && minIsr > rf) {
          ctx.addIssue({
            code: 'custom',
            path: ['KAFKA_MIN_INSYNC_REPLICAS'],
            message: 'must not exceed KAFKA_REPLICATION_FACTOR (no acks=all write could succeed)',
          });
        }
        if (env.NODE_ENV !== 'production') return;
        for (const secret of secrets) {
          const message = productionProblem(secret, env[secret.variable]);
          if (message) ctx.addIssue({ code: 'custom', path: [secret.variable], message });
        }
      },
      { when: () => true },
    );
  return z.preprocess(withDevSecrets(secrets), schema);
}

/**
 * A service's config schema: the shared variables plus its own. The result parses an
 * environment object (see loadConfig) into a typed config.
 */
export function defineServiceConfig<Extra extends z.ZodRawShape>(extraShape: Extra, defaults: ServiceConfigDefaults) {
  return defineConfig({ ...baseConfigShape(defaults), ...extraShape });
}

/** The shared part of every service's config, for code in `shared` that needs only that. */
export function baseConfigSchema(defaults: ServiceConfigDefaults) {
  return defineServiceConfig({}, defaults);
}

export type BaseConfig = z.output<z.ZodObject<BaseConfigShape>>;

import { z } from 'zod';

/** Only ever used outside production, so `npm run token` and the services agree out of the box (SPEC §6). */
export const DEV_AUTH_JWT_SECRET = 'dev-jwt-secret-change-me-not-for-production';

export const MIN_PRODUCTION_JWT_SECRET_LENGTH = 32;

/**
 * The variables of a service whose customer-scoped routes know their caller: the shop signs
 * HS256 bearer tokens (subject = customerId) with this secret. Spread into the service's own shape.
 */
export function customerAuthConfigShape() {
  return {
    // Presence, length and the dev value are checked in defineServiceConfig, where NODE_ENV is known.
    AUTH_JWT_SECRET: z.string({ error: 'is required when NODE_ENV=production' }).min(1),
    /** When set, a token's `iss` must equal it (and `npm run token` writes it). */
    AUTH_JWT_ISSUER: z.string().min(1).optional(),
    /** When set, a token's `aud` must contain it. */
    AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
  };
}

export type CustomerAuthConfig = z.output<z.ZodObject<ReturnType<typeof customerAuthConfigShape>>>;

import { CustomerTokens } from '@orderplatform/shared/auth';

/** The AUTH_JWT_SECRET the tests give services in production mode (≥ 32 characters, not the dev secret). */
export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789-0123456789';

/** Signs tokens the way the shop does, with the tests' secret. */
export const testTokens = new CustomerTokens({ AUTH_JWT_SECRET: TEST_JWT_SECRET });

export const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

/** A token whose claims were changed after signing (subject swapped, original signature kept). */
export function tamperedToken(token: string, subject: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
  return `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: subject })).toString('base64url')}.${signature}`;
}

/** A token that expired a minute ago. */
export const expiredToken = (customerId: string): Promise<string> => testTokens.sign(customerId, new Date(Date.now() - 60_000));

import { errors, jwtVerify, SignJWT } from 'jose';
import type { CustomerAuthConfig } from '../config/customerAuthConfigShape.js';
import { InvalidCustomerTokenError } from './InvalidCustomerTokenError.js';

const ALGORITHM = 'HS256';

/**
 * The shop's customer bearer tokens: HS256 JWTs whose subject is the customerId, with an expiry,
 * and the configured issuer / audience when set. jose does the cryptography and the claim checks.
 */
export class CustomerTokens {
  private readonly key: Uint8Array;

  constructor(private readonly config: CustomerAuthConfig) {
    this.key = new TextEncoder().encode(config.AUTH_JWT_SECRET);
  }

  /** The customerId the token was issued for; throws InvalidCustomerTokenError otherwise. */
  async verify(token: string): Promise<string> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        requiredClaims: ['sub', 'exp'],
        ...(this.config.AUTH_JWT_ISSUER ? { issuer: this.config.AUTH_JWT_ISSUER } : {}),
        ...(this.config.AUTH_JWT_AUDIENCE ? { audience: this.config.AUTH_JWT_AUDIENCE } : {}),
      });
      if (typeof payload.sub !== 'string' || payload.sub.length === 0)
        throw new InvalidCustomerTokenError('Bearer token has no subject', 'invalid');
      return payload.sub;
    } catch (error) {
      if (error instanceof InvalidCustomerTokenError) throw error;
      if (error instanceof errors.JWTExpired) throw new InvalidCustomerTokenError('Bearer token has expired', 'expired');
      throw new InvalidCustomerTokenError('Bearer token is not valid', 'invalid');
    }
  }

  /** A token for the customer that expires after a time span ("15m", "1h") or at a given moment. */
  sign(customerId: string, expires: string | Date = '1h'): Promise<string> {
    let jwt = new SignJWT({})
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(customerId)
      .setIssuedAt()
      .setExpirationTime(expires);
    if (this.config.AUTH_JWT_ISSUER) jwt = jwt.setIssuer(this.config.AUTH_JWT_ISSUER);
    if (this.config.AUTH_JWT_AUDIENCE) jwt = jwt.setAudience(this.config.AUTH_JWT_AUDIENCE);
    return jwt.sign(this.key);
  }
}

import { createHmac } from 'node:crypto';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CustomerTokens } from '../src/auth/index.js';
import { requireCustomerCaller, sendSuccess, type CustomerCallers } from '../src/http/index.js';
import { buildTestApp } from './support/buildTestApp.js';

const ADMIN_KEY = 'a-long-admin-key-for-tests';
const SECRET = 'a-test-jwt-secret-of-at-least-32-characters';
const tokens = new CustomerTokens({ AUTH_JWT_SECRET: SECRET, AUTH_JWT_ISSUER: 'shop', AUTH_JWT_AUDIENCE: 'order-platform' });

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The token with its claims replaced and the original signature kept. */
function tampered(token: string, claims: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${base64url(claims)}.${signature}`;
}

function appWithCustomerRoutes(anonymousRefused: boolean) {
  const callers: CustomerCallers = { tokens, adminApiKey: ADMIN_KEY, anonymousRefused };
  return buildTestApp({
    routes: (app) => {
      app.get('/customers/:customerId/things', requireCustomerCaller(callers, { param: 'customerId' }), (req, res) =>
        sendSuccess(res, 200, { customerId: req.params.customerId }),
      );
      app.get('/things', requireCustomerCaller(callers, { query: 'customerId' }), (_req, res) => sendSuccess(res, 200, { listed: true }));
    },
  }).app;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('requireCustomerCaller', () => {
  describe('when anonymous callers are refused (production)', () => {
    const app = appWithCustomerRoutes(true);

    it('without a token or key answers 401 AUTH.UNAUTHORIZED with a Bearer challenge', async () => {
      const res = await request(app).get('/customers/123/things');

      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.headers['x-correlation-id']).toBeTruthy();
      expect(res.body).toEqual({ success: false, error: { code: 'AUTH.UNAUTHORIZED', message: expect.any(String) } });
    });

    it("with the customer's own token lets the request through", async () => {
      const res = await request(app)
        .get('/customers/123/things')
        .set(bearer(await tokens.sign('123')));

      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ customerId: '123' });
    });

    it("with another customer's token answers 403 AUTH.FORBIDDEN", async () => {
      const res = await request(app)
        .get('/customers/123/things')
        .set(bearer(await tokens.sign('456')));

      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('AUTH.FORBIDDEN');
    });

    it('with the admin key lets the request through; a wrong key is 403', async () => {
      const ok = await request(app).get('/customers/123/things').set('X-Api-Key', ADMIN_KEY);
      const wrong = await request(app).get('/customers/123/things').set('X-Api-Key', `${ADMIN_KEY}x`);

      expect(ok.status).toBe(200);
      expect(wrong.status).toBe(403);
      expect(wrong.body.error.code).toBe('AUTH.FORBIDDEN');
    });

    it('with the admin key next to an invalid token answers 401: every presented credential is checked', async () => {
      const res = await request(app).get('/customers/123/things').set('X-Api-Key', ADMIN_KEY).set(bearer('not.a.token'));
      const empty = await request(app).get('/customers/123/things').set('X-Api-Key', ADMIN_KEY).set('Authorization', '');

      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('AUTH.UNAUTHORIZED');
      expect(empty.status).toBe(401);
    });

    it.each([
      ['expired', async () => tokens.sign('123', new Date(Date.now() - 60_000)), 'Bearer token has expired'],
      [
        'tampered (claims changed, signature kept)',
        async () =>
          tampered(await tokens.sign('456'), { sub: '123', iss: 'shop', aud: 'order-platform', exp: Math.floor(Date.now() / 1000) + 600 }),
        'Bearer token is not valid',
      ],
      [
        'signed with another secret',
        async () =>
          new CustomerTokens({ AUTH_JWT_SECRET: `${SECRET}-other`, AUTH_JWT_ISSUER: 'shop', AUTH_JWT_AUDIENCE: 'order-platform' }).sign(
            '123',
          ),
        'Bearer token is not valid',
      ],
      [
        'from another issuer',
        async () =>
          new CustomerTokens({ AUTH_JWT_SECRET: SECRET, AUTH_JWT_ISSUER: 'elsewhere', AUTH_JWT_AUDIENCE: 'order-platform' }).sign('123'),
        'Bearer token is not valid',
      ],
      [
        'for another audience',
        async () => new CustomerTokens({ AUTH_JWT_SECRET: SECRET, AUTH_JWT_ISSUER: 'shop', AUTH_JWT_AUDIENCE: 'elsewhere' }).sign('123'),
        'Bearer token is not valid',
      ],
      [
        'unsigned (alg none)',
        async () =>
          `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: '123', iss: 'shop', aud: 'order-platform', exp: Math.floor(Date.now() / 1000) + 600 })}.`,
        'Bearer token is not valid',
      ],
      ['not a JWT', async () => 'not-a-token', 'Bearer token is not valid'],
    ])('with a token that is %s answers 401 invalid_token', async (_case, token, message) => {
      const res = await request(app)
        .get('/customers/123/things')
        .set(bearer(await token()));

      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(res.body.error).toEqual({ code: 'AUTH.UNAUTHORIZED', message });
    });

    it('with an Authorization header that is not a Bearer token answers 401', async () => {
      const res = await request(app)
        .get('/customers/123/things')
        .set('Authorization', `Basic ${Buffer.from('123:pw').toString('base64')}`);

      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('AUTH.UNAUTHORIZED');
    });

    it('a token without an expiry is refused (401): tokens must not live forever', async () => {
      const header = base64url({ alg: 'HS256', typ: 'JWT' });
      const payload = base64url({ sub: '123', iss: 'shop', aud: 'order-platform' });
      const signature = createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url');

      const res = await request(app)
        .get('/customers/123/things')
        .set(bearer(`${header}.${payload}.${signature}`));

      expect(res.status).toBe(401);
    });

    it('scopes a query by its customerId: anonymous 401, another customer 403, own token 200', async () => {
      const anonymous = await request(app).get('/things?customerId=123');
      const other = await request(app)
        .get('/things?customerId=123')
        .set(bearer(await tokens.sign('456')));
      const own = await request(app)
        .get('/things?customerId=123')
        .set(bearer(await tokens.sign('123')));
      const repeated = await request(app)
        .get('/things?customerId=456&customerId=123')
        .set(bearer(await tokens.sign('123')));

      expect([anonymous.status, other.status, own.status, repeated.status]).toEqual([401, 403, 200, 403]);
    });

    it('a query that names no customer is not scoped (anonymous 200), but a presented bad token is still 401', async () => {
      const anonymous = await request(app).get('/things');
      const badToken = await request(app).get('/things').set(bearer('not-a-token'));

      expect(anonymous.status).toBe(200);
      expect(badToken.status).toBe(401);
    });
  });

  describe('when anonymous callers are let through (development)', () => {
    const app = appWithCustomerRoutes(false);

    it('without a token or key lets the request through', async () => {
      const res = await request(app).get('/customers/123/things');

      expect(res.status).toBe(200);
    });

    it('still verifies a presented token: another customer 403, expired 401, own 200', async () => {
      const other = await request(app)
        .get('/customers/123/things')
        .set(bearer(await tokens.sign('456')));
      const expired = await request(app)
        .get('/customers/123/things')
        .set(bearer(await tokens.sign('123', new Date(Date.now() - 1_000))));
      const own = await request(app)
        .get('/customers/123/things')
        .set(bearer(await tokens.sign('123')));

      expect([other.status, expired.status, own.status]).toEqual([403, 401, 200]);
    });
  });
});

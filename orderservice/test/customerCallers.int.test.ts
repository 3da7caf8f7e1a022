import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expiredToken, tamperedToken, TEST_JWT_SECRET, testTokens } from '../../test/support/customerTokens.js';
import { buildOrderRequest } from './support/builders.js';
import { ADMIN_KEY } from '../../test/support/http.js';
import { startTestService, type TestServiceOf } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import { TOKENS } from '../src/tokens.js';

/** GET /api/orders/customer/:customerId knows its caller (SPEC §6, issue 9): through the real app, real database. */
describe("a customer's order list and who may read it", () => {
  let production: TestServiceOf<typeof createService>;
  let development: TestServiceOf<typeof createService>;
  let orderId: string;
  beforeAll(async () => {
    [production, development] = await Promise.all([
      startTestService(createService, 'orders-callers-prod', {
        holdOutbox: TOKENS.Outbox,
        env: { NODE_ENV: 'production', AUTH_JWT_SECRET: TEST_JWT_SECRET },
      }),
      startTestService(createService, 'orders-callers-dev', {
        holdOutbox: TOKENS.Outbox,
        env: { NODE_ENV: 'development', AUTH_JWT_SECRET: TEST_JWT_SECRET },
      }),
    ]);
    const placed = await request(production.app)
      .post('/api/orders')
      .send(buildOrderRequest({ customerId: 'ada' }))
      .expect(201);
    orderId = placed.body.data.id;
    await request(development.app)
      .post('/api/orders')
      .send(buildOrderRequest({ customerId: 'ada' }))
      .expect(201);
  });
  afterAll(async () => {
    await Promise.all([production?.close(), development?.close()]);
  });

  const list = (app: TestServiceOf<typeof createService>, headers: Record<string, string> = {}) =>
    request(app.app).get('/api/orders/customer/ada').set(headers);

  describe('in production', () => {
    it('refuses an anonymous caller with 401 AUTH.UNAUTHORIZED and shows no orders', async () => {
      const res = await list(production);

      expect(res.status).toBe(401);
      expect(res.body).toEqual({ success: false, error: { code: 'AUTH.UNAUTHORIZED', message: expect.any(String) } });
    });

    it("refuses another customer's token with 403 AUTH.FORBIDDEN", async () => {
      const res = await list(production, bearer(await testTokens.sign('mallory')));

      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('AUTH.FORBIDDEN');
      expect(JSON.stringify(res.body)).not.toContain(orderId);
    });

    it("lists the orders for the customer's own token, and for the admin key", async () => {
      const own = await list(production, bearer(await testTokens.sign('ada')));
      const admin = await list(production, { 'X-Api-Key': ADMIN_KEY });

      expect(own.status).toBe(200);
      expect(own.body.data.orders.map((o: { id: string }) => o.id)).toEqual([orderId]);
      expect(admin.status).toBe(200);
      expect(admin.body.data.orders.map((o: { id: string }) => o.id)).toEqual([orderId]);
    });

    it('refuses an expired or a tampered token with 401', async () => {
      const expired = await list(production, bearer(await expiredToken('ada')));
      const tampered = await list(production, bearer(tamperedToken(await testTokens.sign('mallory'), 'ada')));

      expect([expired.status, tampered.status]).toEqual([401, 401]);
      expect(expired.body.error).toEqual({ code: 'AUTH.UNAUTHORIZED', message: 'Bearer token has expired' });
      expect(tampered.body.error).toEqual({ code: 'AUTH.UNAUTHORIZED', message: 'Bearer token is not valid' });
    });

    it('keeps reads by the order id open: the UUID is not guessable', async () => {
      const res = await request(production.app).get(`/api/orders/${orderId}`);

      expect(res.status).toBe(200);
      expect(res.body.data.customerId).toBe('ada');
    });
  });

  describe('outside production', () => {
    it('lets an anonymous caller list, as the task file’s curl examples do', async () => {
      const res = await list(development);

      expect(res.status).toBe(200);
      expect(res.body.data.orders).toHaveLength(1);
    });

    it("still checks a presented token: another customer's is 403", async () => {
      const res = await list(development, bearer(await testTokens.sign('mallory')));

      expect(res.status).toBe(403);
    });
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestServiceOf } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import { bearer, expiredToken, tamperedToken, TEST_JWT_SECRET, testTokens } from '../../test/support/customerTokens.js';
import type { NotificationRepository } from '../src/services/ports/NotificationRepository.js';
import { TOKENS } from '../src/tokens.js';
import { buildDraft } from './support/builders.js';

const ADMIN_KEY = 'notification-admin-key-0123456789';
const ORDER_ID = '6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f';

/** Personal data behind the customer-scoped routes (SPEC §6, issue 9): the real app on the real database. */
describe('notifications and preferences: who may read and change them', () => {
  let production: TestServiceOf<typeof createService>;
  let development: TestServiceOf<typeof createService>;
  beforeAll(async () => {
    const env = { ADMIN_API_KEY: ADMIN_KEY, AUTH_JWT_SECRET: TEST_JWT_SECRET };
    [production, development] = await Promise.all([
      startTestService(createService, 'notif-callers-prod', { env: { ...env, NODE_ENV: 'production' } }),
      startTestService(createService, 'notif-callers-dev', { env: { ...env, NODE_ENV: 'development' } }),
    ]);
    for (const world of [production, development]) {
      const repository = world.container.resolve<NotificationRepository>(TOKENS.NotificationRepository);
      await repository.createIfAbsent(buildDraft({ orderId: ORDER_ID, customerId: 'ada', recipient: 'ada@example.com' }));
      await request(world.app)
        .put('/api/notifications/preferences/ada')
        .set('X-Api-Key', ADMIN_KEY)
        .send({ email: 'ada@example.com', channels: ['email'] })
        .expect(201);
    }
  });
  afterAll(async () => {
    await Promise.all([production?.close(), development?.close()]);
  });

  const routes = [
    ['GET /api/notifications?customerId=ada', (app: typeof production.app) => request(app).get('/api/notifications?customerId=ada')],
    ['GET /api/notifications/preferences/ada', (app: typeof production.app) => request(app).get('/api/notifications/preferences/ada')],
    [
      'PUT /api/notifications/preferences/ada',
      (app: typeof production.app) =>
        request(app)
          .put('/api/notifications/preferences/ada')
          .send({ email: 'ada@example.com', channels: ['email'] }),
    ],
  ] as const;

  describe('in production', () => {
    it.each(routes)('%s: anonymous 401, another customer 403, expired or tampered 401', async (_route, call) => {
      const anonymous = await call(production.app);
      const other = await call(production.app).set(bearer(await testTokens.sign('mallory')));
      const expired = await call(production.app).set(bearer(await expiredToken('ada')));
      const tampered = await call(production.app).set(bearer(tamperedToken(await testTokens.sign('mallory'), 'ada')));

      expect([anonymous.status, other.status, expired.status, tampered.status]).toEqual([401, 403, 401, 401]);
      expect(anonymous.body.error.code).toBe('AUTH.UNAUTHORIZED');
      expect(other.body.error.code).toBe('AUTH.FORBIDDEN');
      for (const res of [anonymous, other, expired, tampered]) expect(JSON.stringify(res.body)).not.toContain('ada@example.com');
    });

    it.each(routes)("%s: the customer's own token and the admin key are let through", async (_route, call) => {
      const own = await call(production.app).set(bearer(await testTokens.sign('ada')));
      const admin = await call(production.app).set('X-Api-Key', ADMIN_KEY);

      expect(own.status).toBe(200);
      expect(admin.status).toBe(200);
      expect(JSON.stringify(own.body)).toContain('ada@example.com');
    });

    it('a redirect of the notifications by someone else is refused and changes nothing', async () => {
      const hijack = await request(production.app)
        .put('/api/notifications/preferences/ada')
        .set(bearer(await testTokens.sign('mallory')))
        .send({ email: 'mallory@example.com', channels: ['email'] });

      expect(hijack.status).toBe(403);
      const stored = await request(production.app).get('/api/notifications/preferences/ada').set('X-Api-Key', ADMIN_KEY);
      expect(stored.body.data.email).toBe('ada@example.com');
    });

    it('a query by order id alone stays open, like GET /api/orders/:id (order ids are UUIDs)', async () => {
      const res = await request(production.app).get(`/api/notifications?orderId=${ORDER_ID}`);

      expect(res.status).toBe(200);
      expect(res.body.data).toHaveLength(1);
    });

    it('naming a customer next to the order id scopes the query to that customer', async () => {
      const res = await request(production.app).get(`/api/notifications?orderId=${ORDER_ID}&customerId=ada`);

      expect(res.status).toBe(401);
    });
  });

  describe('outside production', () => {
    it.each(routes)('%s: an anonymous caller is let through', async (_route, call) => {
      expect((await call(development.app)).status).toBe(200);
    });

    it.each(routes)("%s: a presented token is still checked (another customer's is 403)", async (_route, call) => {
      expect((await call(development.app).set(bearer(await testTokens.sign('mallory')))).status).toBe(403);
    });
  });
});

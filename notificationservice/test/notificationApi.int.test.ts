import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestServiceOf } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import { notificationOpenApi } from '../src/api/openapi.js';
import type { Notification } from '../src/domain/Notification.js';
import type { NotificationRepository } from '../src/services/ports/NotificationRepository.js';
import { TOKENS } from '../src/tokens.js';
import { buildDraft } from './support/builders.js';

describe('notification HTTP API against the real database', () => {
  let world: TestServiceOf<typeof createService>;

  beforeAll(async () => {
    world = await startTestService(createService, 'notif-api');
  });
  afterAll(async () => {
    await world.close();
  });

  const put = (customerId: string, body: unknown) =>
    request(world.app)
      .put(`/api/notifications/preferences/${customerId}`)
      .send(body as object);
  const get = (customerId: string) => request(world.app).get(`/api/notifications/preferences/${customerId}`);

  it('starts with the collections of its own models and their indexes created, and no others', async () => {
    const collections = (await world.infra.connection.db!.listCollections().toArray()).map((c) => c.name);
    const indexes = await world.infra.models.notifications.listIndexes();

    expect(collections.sort()).toEqual(['contact_preferences', 'mock_provider_deliveries', 'notifications']);
    expect(indexes).toContainEqual(expect.objectContaining({ key: { eventId: 1, channel: 1 }, unique: true }));
  });

  describe('contact preferences', () => {
    it('when a customer saves preferences, they are created (201), read back, and replaced as a whole on the next PUT (200)', async () => {
      const created = await put('cust-a', { email: 'ada@example.com', phone: '+14155550123', channels: ['email', 'sms'] });
      const replaced = await put('cust-a', { phone: '+447700900123', channels: ['sms'] });
      const read = await get('cust-a');

      expect(created.status).toBe(201);
      expect(created.headers.location).toBe('/api/notifications/preferences/cust-a');
      expect(created.body).toMatchObject({
        success: true,
        data: { customerId: 'cust-a', email: 'ada@example.com', phone: '+14155550123', channels: ['email', 'sms'] },
      });
      expect(replaced.status).toBe(200);
      expect(read.status).toBe(200);
      expect(read.body.data).toEqual({ customerId: 'cust-a', phone: '+447700900123', channels: ['sms'], updatedAt: expect.any(String) });
    });

    it('when nobody saved preferences for the customer, GET answers 404 NOTIFICATION.PREFERENCES_NOT_FOUND', async () => {
      const res = await get('cust-nobody');

      expect(res.status).toBe(404);
      expect(res.body).toEqual({ success: false, error: { code: 'NOTIFICATION.PREFERENCES_NOT_FOUND', message: expect.any(String) } });
    });

    it.each([
      ['no channels', { email: 'ada@example.com', channels: [] }],
      ['channels missing', { email: 'ada@example.com' }],
      ['a repeated channel', { channels: ['email', 'email'] }],
      ['an unknown channel', { channels: ['pigeon'] }],
      ['a malformed email', { email: 'not-an-email', channels: ['email'] }],
      ['a malformed phone', { phone: '0415 555 0123', channels: ['sms'] }],
      ['an unknown key', { channels: ['email'], role: 'admin' }],
      ['a non-object body', ['email']],
    ])('when the body has %s, answers 400 and stores nothing', async (_case, body) => {
      const res = await put('cust-invalid', body);

      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('REQUEST.VALIDATION_FAILED');
      expect((await get('cust-invalid')).status).toBe(404);
    });

    it('when the body carries $-operators or dotted keys, answers 400 and stores nothing', async () => {
      const operator = await put('cust-op', { channels: ['email'], email: { $ne: null } });
      const topLevel = await put('cust-op', { $set: { channels: ['sms'] } });
      const dotted = await put('cust-op', { 'channels.0': 'sms', channels: ['email'] });

      expect([operator.status, topLevel.status, dotted.status]).toEqual([400, 400, 400]);
      expect(topLevel.body.error.code).toBe('REQUEST.FORBIDDEN_KEY');
      expect((await get('cust-op')).status).toBe(404);
    });

    it('when the customer id is not a plain id, answers 400', async () => {
      expect((await get('cust%20a')).status).toBe(400);
      expect((await put('x'.repeat(65), { channels: ['email'] })).status).toBe(400);
    });

    it('when the body is not JSON, answers 415', async () => {
      const res = await request(world.app)
        .put('/api/notifications/preferences/cust-a')
        .set('Content-Type', 'text/plain')
        .send('channels=email');

      expect(res.status).toBe(415);
    });
  });

  describe('listing notifications', () => {
    const orderId = 'ord-list-1';
    let seeded: { first: Notification; second: Notification };
    beforeAll(async () => {
      seeded = await seed();
    });
    const seed = async () => {
      const repository = world.container.resolve<NotificationRepository>(TOKENS.NotificationRepository);
      const first = await repository.createIfAbsent(
        buildDraft({ orderId, customerId: 'cust-list', eventType: 'OrderPlaced', channel: 'email' }),
      );
      await repository.acquireLease(first.id, 'l', new Date(), new Date(Date.now() + 1000));
      await repository.markSent(first.id, new Date());
      await new Promise((r) => setTimeout(r, 20)); // distinct createdAt, so "newest first" is observable
      const second = await repository.createIfAbsent(
        buildDraft({
          orderId,
          customerId: 'cust-list',
          eventType: 'OrderConfirmed',
          channel: 'sms',
          recipient: '+14155550123',
          subject: undefined,
          body: 'Confirmed',
        }),
      );
      await repository.acquireLease(second.id, 'l', new Date(), new Date(Date.now() + 1000));
      await repository.markFailed(second.id, 'l', 'ProviderUnavailableError: down');
      await repository.createIfAbsent(buildDraft({ orderId: 'ord-list-other', customerId: 'cust-list' }));
      return { first, second };
    };

    it('by order id, lists what was sent and what failed, newest first', async () => {
      const { first, second } = seeded;

      const res = await request(world.app).get(`/api/notifications?orderId=${orderId}`);

      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([
        {
          id: second.id,
          eventId: second.eventId,
          eventType: 'OrderConfirmed',
          orderId,
          customerId: 'cust-list',
          channel: 'sms',
          recipient: '+14155550123',
          body: 'Confirmed',
          status: 'FAILED',
          attempts: 1,
          createdAt: expect.any(String),
          error: 'ProviderUnavailableError: down',
        },
        expect.objectContaining({
          id: first.id,
          channel: 'email',
          status: 'SENT',
          subject: first.subject,
          attempts: 1,
          sentAt: expect.any(String),
        }),
      ]);
    });

    it('by customer id (and both filters together), with a limit', async () => {
      const byCustomer = await request(world.app).get('/api/notifications?customerId=cust-list');
      const both = await request(world.app).get(`/api/notifications?customerId=cust-list&orderId=ord-list-other`);
      const limited = await request(world.app).get('/api/notifications?customerId=cust-list&limit=1');

      expect(byCustomer.body.data.length).toBeGreaterThanOrEqual(3);
      expect(both.body.data.map((n: { orderId: string }) => n.orderId)).toEqual(['ord-list-other']);
      expect(limited.body.data).toHaveLength(1);
    });

    it('without a filter, lists the newest notifications of all customers, up to the limit', async () => {
      const all = await request(world.app).get('/api/notifications');
      const limited = await request(world.app).get('/api/notifications?limit=2');

      expect(all.status).toBe(200);
      expect(all.body.data.map((n: { orderId: string }) => n.orderId).sort()).toEqual([orderId, orderId, 'ord-list-other'].sort());
      expect(limited.body.data.map((n: { id: string }) => n.id)).toEqual(all.body.data.slice(0, 2).map((n: { id: string }) => n.id));
    });

    it.each([
      ['an invalid order id', '?orderId=a%20b'],
      ['a limit in exponent form', '?limit=1e1'],
      ['an operator in the query', '?orderId[$ne]=x'],
      ['a repeated filter', '?orderId=a&orderId=b'],
      ['an unknown parameter', '?orderId=a&status=SENT'],
      ['a limit above 100', '?orderId=a&limit=101'],
    ])('with %s, answers 400', async (_case, query) => {
      const res = await request(world.app).get(`/api/notifications${query}`);

      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
    });

    it('for an order nobody was notified about, answers an empty list', async () => {
      const res = await request(world.app).get('/api/notifications?orderId=ord-unknown');

      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([]);
    });
  });

  describe('API documentation', () => {
    it('serves the OpenAPI document at /docs/openapi.json and Swagger UI at /docs', async () => {
      const document = await request(world.app).get('/docs/openapi.json').expect(200);
      const ui = await request(world.app).get('/docs').redirects(1).expect(200);

      expect(document.body).toEqual(notificationOpenApi(world.config.PORT));
      expect(Object.keys(document.body.paths)).toEqual(
        expect.arrayContaining(['/api/notifications', '/api/notifications/preferences/{customerId}']),
      );
      expect(ui.headers['content-type']).toMatch(/text\/html/);
      expect(ui.text).toContain('swagger-ui');
    });
  });
});

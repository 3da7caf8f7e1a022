import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderChangeNotifier } from '../src/services/OrderChangeNotifier.js';
import type { OrderLifecycleService } from '../src/services/OrderLifecycleService.js';
import type { PendingOrderSweeper } from '../src/services/PendingOrderSweeper.js';
import { orderOpenApi } from '../src/api/openapi.js';
import { TOKENS } from '../src/tokens.js';
import { buildInventoryReleased, buildInventoryReserved, buildOrderRequest } from './support/builders.js';
import { eventually } from '../../tools/lib/eventually.js';
import { ADMIN_KEY } from '../../test/support/http.js';
import { startTestService, type TestServiceOf } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import { readTopic } from './support/topics.js';

describe('orders HTTP API against the real database and broker', () => {
  let service: TestServiceOf<typeof createService>;
  beforeAll(async () => {
    service = await startTestService(createService, 'orders-api', { kafka: true });
  });
  afterAll(async () => {
    await service?.close();
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    request(service.app)
      .post('/api/orders')
      .set(headers)
      .send(body as object);
  const placeOrder = async (body: unknown = buildOrderRequest()) => {
    const res = await post(body).expect(201);
    return res.body.data as { id: string; status: string; customerId: string };
  };
  const uniqueCustomer = () => `cust-${randomUUID().slice(0, 8)}`;
  const lifecycle = () => service.container.resolve<OrderLifecycleService>(TOKENS.OrderLifecycleService);

  it('starts with the collections of its own models and their indexes created, and no others', async () => {
    const collections = (await service.infra.connection.db!.listCollections().toArray()).map((c) => c.name);
    const indexes = await service.infra.models.orders.listIndexes();

    expect(collections).toEqual(['orders']);
    expect(indexes).toContainEqual(expect.objectContaining({ key: { idempotencyKey: 1 }, unique: true }));
  });

  describe('POST /api/orders', () => {
    it('creates the order PENDING with an exact total, a Location and the caller’s correlation id', async () => {
      const body = buildOrderRequest({
        items: [
          { productId: 'a', quantity: 1, price: 0.1 },
          { productId: 'b', quantity: 1, price: 0.2 },
        ],
      });

      const res = await post(body, { 'X-Correlation-Id': 'corr-create-1' });

      expect(res.status).toBe(201);
      expect(res.headers.location).toBe(`/api/orders/${res.body.data.id}`);
      expect(res.headers['x-correlation-id']).toBe('corr-create-1');
      expect(res.body).toMatchObject({
        success: true,
        data: { status: 'PENDING', totalAmount: 0.3, currency: 'USD', customerId: body.customerId, customer: body.customer },
      });
      const fetched = await request(service.app).get(res.headers.location!).expect(200);
      expect(fetched.body.data).toEqual(res.body.data);
    });

    it('takes a product on two lines (added twice, or at two prices) and totals every line', async () => {
      const body = buildOrderRequest({
        items: [
          { productId: 'a', quantity: 1, price: 0.07 },
          { productId: 'a', quantity: 2, price: 1.01 },
        ],
      });

      const res = await post(body);

      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({ items: body.items, totalAmount: 2.09 });
    });

    it('replays the same order with 200 for the same Idempotency-Key and body', async () => {
      const key = `key-${randomUUID()}`;
      const first = await post(buildOrderRequest(), { 'Idempotency-Key': key }).expect(201);

      const replay = await post(buildOrderRequest(), { 'Idempotency-Key': key });

      expect(replay.status).toBe(200);
      expect(replay.body.data).toEqual(first.body.data);
      expect(replay.headers.location).toBe(first.headers.location);
      expect(await service.infra.models.orders.countDocuments({ idempotencyKey: key })).toBe(1);
    });

    it('refuses the same Idempotency-Key with a different body: 409 ORDER.IDEMPOTENCY_CONFLICT', async () => {
      const key = `key-${randomUUID()}`;
      await post(buildOrderRequest(), { 'Idempotency-Key': key }).expect(201);

      const res = await post(buildOrderRequest({ customerId: 'other-customer' }), { 'Idempotency-Key': key });

      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('ORDER.IDEMPOTENCY_CONFLICT');
      expect(await service.infra.models.orders.countDocuments({ idempotencyKey: key })).toBe(1);
    });

    it('with concurrent identical requests under one Idempotency-Key, creates exactly one order', async () => {
      const key = `key-${randomUUID()}`;

      const responses = await Promise.all(Array.from({ length: 8 }, () => post(buildOrderRequest(), { 'Idempotency-Key': key })));

      expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
      expect(new Set(responses.map((r) => r.body.data.id)).size).toBe(1);
      expect(await service.infra.models.orders.countDocuments({ idempotencyKey: key })).toBe(1);
    });

    it('refuses an Idempotency-Key longer than 128 characters', async () => {
      const res = await post(buildOrderRequest(), { 'Idempotency-Key': 'k'.repeat(129) });

      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('REQUEST.VALIDATION_FAILED');
    });
  });

  describe('GET /api/orders/:id', () => {
    it('answers 404 ORDER.NOT_FOUND for an unknown order', async () => {
      const res = await request(service.app).get(`/api/orders/${randomUUID()}`);

      expect(res.status).toBe(404);
      expect(res.body).toEqual({ success: false, error: expect.objectContaining({ code: 'ORDER.NOT_FOUND' }) });
    });

    it('answers 400 for a malformed id', async () => {
      const res = await request(service.app).get('/api/orders/not-a-uuid');

      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('REQUEST.VALIDATION_FAILED');
    });

    it('with waitFor, answers as soon as the order is confirmed', async () => {
      const order = await placeOrder();
      const notifier = service.container.resolve<OrderChangeNotifier>(TOKENS.OrderChangeNotifier);
      const waiting = request(service.app)
        .get(`/api/orders/${order.id}?waitFor=CONFIRMED,CANCELLED&timeoutMs=30000`)
        .then((r) => r);
      await eventually(
        () => notifier.waiting,
        (waiting) => waiting > 0,
        'long-poll waiting',
      );

      await lifecycle().confirmReservation(buildInventoryReserved(order.id));

      const res = await waiting;
      expect(res.status).toBe(200);
      expect(res.body.data.status).toBe('CONFIRMED');
    });

    it('with waitFor, answers with the current state when the time is up', async () => {
      const order = await placeOrder();

      const res = await request(service.app).get(`/api/orders/${order.id}?waitFor=CONFIRMED&timeoutMs=300`);

      expect(res.status).toBe(200);
      expect(res.body.data.status).toBe('PENDING');
    });

    it.each([
      ['a timeout above 30 s', 'waitFor=CONFIRMED&timeoutMs=30001'],
      ['an unknown status', 'waitFor=SOON'],
      ['a repeated status', 'waitFor=CONFIRMED,CONFIRMED'],
      ['an empty status list', 'waitFor='],
      ['a negative timeout', 'waitFor=CONFIRMED&timeoutMs=-1'],
      ['a timeout in exponent form', 'waitFor=CONFIRMED&timeoutMs=1e3'],
      ['an unknown parameter', 'wait=CONFIRMED'],
    ])('refuses %s with 400', async (_name, query) => {
      const order = await placeOrder();

      const res = await request(service.app).get(`/api/orders/${order.id}?${query}`);

      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
    });
  });

  describe('GET /api/orders/customer/:customerId', () => {
    it('pages newest first with an opaque cursor until nextCursor is null', async () => {
      const customerId = uniqueCustomer();
      const placed: string[] = [];
      for (let i = 0; i < 5; i++) placed.push((await placeOrder(buildOrderRequest({ customerId }))).id);

      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const res = await request(service.app)
          .get(`/api/orders/customer/${customerId}`)
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .expect(200);
        const page = res.body.data as { orders: Array<{ id: string }>; nextCursor: string | null };
        pages.push(page.orders.map((o) => o.id));
        cursor = page.nextCursor;
      } while (cursor);

      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual([...placed].reverse());
    });

    it('takes a cursor of the documented form that it did not hand out as the position it names', async () => {
      const customerId = uniqueCustomer();
      const placed = await placeOrder(buildOrderRequest({ customerId }));

      const after = await request(service.app).get(`/api/orders/customer/${customerId}?cursor=999999999999999.zzz`).expect(200);
      const before = await request(service.app).get(`/api/orders/customer/${customerId}?cursor=0.a`).expect(200);

      expect(after.body.data.orders.map((o: { id: string }) => o.id)).toEqual([placed.id]);
      expect(before.body.data).toEqual({ orders: [], nextCursor: null });
    });

    it('refuses a cursor it did not issue with a 400 that says so', async () => {
      const res = await request(service.app).get(`/api/orders/customer/${uniqueCustomer()}?cursor=bm9wZQ`);

      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'REQUEST.VALIDATION_FAILED',
        details: [{ path: 'cursor', message: expect.stringMatching(/not a cursor this service issued/) }],
      });
    });

    it.each([
      ['an invalid cursor', '?cursor=bm9wZQ'],
      ['a limit of 0', '?limit=0'],
      ['a limit above 100', '?limit=101'],
    ])('refuses %s with 400', async (_name, query) => {
      const res = await request(service.app).get(`/api/orders/customer/${uniqueCustomer()}${query}`);

      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('REQUEST.VALIDATION_FAILED');
    });
  });

  describe('PUT /api/orders/:id/status (admin)', () => {
    it('without an API key answers 401, with a wrong one 403, and changes nothing', async () => {
      const order = await placeOrder();

      const missing = await request(service.app).put(`/api/orders/${order.id}/status`).send({ status: 'CONFIRMED' });
      const wrong = await request(service.app)
        .put(`/api/orders/${order.id}/status`)
        .set('X-Api-Key', 'wrong-key')
        .send({ status: 'CONFIRMED' });

      expect(missing.status).toBe(401);
      expect(wrong.status).toBe(403);
      expect((await request(service.app).get(`/api/orders/${order.id}`)).body.data.status).toBe('PENDING');
    });

    it('walks an order the reservation confirmed through SHIPPED → DELIVERED', async () => {
      const order = await placeOrder();
      await lifecycle().confirmReservation(buildInventoryReserved(order.id));

      for (const status of ['SHIPPED', 'DELIVERED']) {
        const res = await request(service.app).put(`/api/orders/${order.id}/status`).set('X-Api-Key', ADMIN_KEY).send({ status });
        expect(res.status).toBe(200);
        expect(res.body.data.status).toBe(status);
      }
    });

    it('refuses an admin CONFIRMED of a PENDING order with 409 ORDER.CONFIRM_BY_SAGA_ONLY: it stays PENDING and nothing is published', async () => {
      const order = await placeOrder();

      const res = await request(service.app)
        .put(`/api/orders/${order.id}/status`)
        .set('X-Api-Key', ADMIN_KEY)
        .send({ status: 'CONFIRMED' });

      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        success: false,
        error: {
          code: 'ORDER.CONFIRM_BY_SAGA_ONLY',
          message: expect.any(String),
          details: { orderId: order.id, from: 'PENDING', to: 'CONFIRMED' },
        },
      });
      expect((await request(service.app).get(`/api/orders/${order.id}`)).body.data.status).toBe('PENDING');
      const timeline = (await request(service.app).get(`/api/orders/${order.id}/timeline`)).body.data as Array<{ eventType: string }>;
      expect(timeline.map((e) => e.eventType)).toEqual(['OrderPlaced']);
      // Per-key order is kept: once the cancel that follows is on the topic, an OrderConfirmed would be before it.
      await request(service.app)
        .put(`/api/orders/${order.id}/status`)
        .set('X-Api-Key', ADMIN_KEY)
        .send({ status: 'CANCELLED' })
        .expect(200);
      const published = await readTopic(service.config.ORDER_EVENTS_TOPIC, (all) =>
        all.some((m) => m.key === order.id && m.value.eventType === 'OrderCancelled'),
      );
      expect(published.filter((m) => m.key === order.id).map((m) => m.value.eventType)).toEqual(['OrderPlaced', 'OrderCancelled']);
    });

    it('refuses an admin CONFIRMED of an order the reservation already confirmed with the same code', async () => {
      const order = await placeOrder();
      await lifecycle().confirmReservation(buildInventoryReserved(order.id));

      const res = await request(service.app)
        .put(`/api/orders/${order.id}/status`)
        .set('X-Api-Key', ADMIN_KEY)
        .send({ status: 'CONFIRMED' });

      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'ORDER.CONFIRM_BY_SAGA_ONLY', details: { from: 'CONFIRMED' } });
    });

    it('refuses a move the state machine does not allow with 409 and the from/to', async () => {
      const order = await placeOrder();

      const res = await request(service.app)
        .put(`/api/orders/${order.id}/status`)
        .set('X-Api-Key', ADMIN_KEY)
        .send({ status: 'DELIVERED' });

      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({
        code: 'ORDER.INVALID_TRANSITION',
        details: { orderId: order.id, from: 'PENDING', to: 'DELIVERED' },
      });
    });

    it('refuses an unknown status with 400', async () => {
      const order = await placeOrder();

      const res = await request(service.app).put(`/api/orders/${order.id}/status`).set('X-Api-Key', ADMIN_KEY).send({ status: 'LOST' });

      expect(res.status).toBe(400);
    });
  });

  describe('POST /api/orders/:id/cancel', () => {
    it('cancels a PENDING order with reason CUSTOMER_REQUEST, and a second cancel is a 409', async () => {
      const order = await placeOrder();

      const res = await request(service.app).post(`/api/orders/${order.id}/cancel`).send({ reason: 'ordered twice' });
      const again = await request(service.app).post(`/api/orders/${order.id}/cancel`).send({});

      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ status: 'CANCELLED', cancellation: { reason: 'CUSTOMER_REQUEST', details: 'ordered twice' } });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('ORDER.INVALID_TRANSITION');
    });

    it('works without a body', async () => {
      const order = await placeOrder();

      const res = await request(service.app).post(`/api/orders/${order.id}/cancel`);

      expect(res.status).toBe(200);
      expect(res.body.data.status).toBe('CANCELLED');
    });
  });

  describe('GET /api/orders/:id/timeline', () => {
    it('lists each status with the event that recorded it and the event that caused it, in order', async () => {
      const order = await placeOrder();
      const reserved = buildInventoryReserved(order.id);
      await lifecycle().confirmReservation(reserved);
      await request(service.app).post(`/api/orders/${order.id}/cancel`).send({ reason: 'too slow' }).expect(200);
      const released = buildInventoryReleased(order.id);
      await lifecycle().recordRelease(released);

      const res = await request(service.app).get(`/api/orders/${order.id}/timeline`).expect(200);

      expect(res.body.data).toEqual([
        { status: 'PENDING', at: expect.any(String), eventType: 'OrderPlaced', eventId: expect.any(String) },
        {
          status: 'CONFIRMED',
          at: expect.any(String),
          eventType: 'OrderConfirmed',
          eventId: expect.any(String),
          causedBy: reserved.eventId,
        },
        {
          status: 'CANCELLED',
          at: expect.any(String),
          eventType: 'OrderCancelled',
          eventId: expect.any(String),
          reason: 'CUSTOMER_REQUEST',
          details: 'too slow',
        },
        {
          status: 'CANCELLED',
          at: expect.any(String),
          eventType: 'InventoryReleased',
          eventId: released.eventId,
          reason: 'ORDER_CANCELLED',
        },
      ]);
    });

    it('the events it names are the ones published, in order, keyed by the order id', async () => {
      const order = await placeOrder();
      await lifecycle().confirmReservation(buildInventoryReserved(order.id));
      const timeline = (await request(service.app).get(`/api/orders/${order.id}/timeline`).expect(200)).body.data as Array<{
        eventId: string;
      }>;

      const published = await readTopic(service.config.ORDER_EVENTS_TOPIC, (all) => all.filter((m) => m.key === order.id).length >= 2);

      const mine = published.filter((m) => m.key === order.id);
      expect(mine.map((m) => [m.value.eventType, m.value.eventId])).toEqual([
        ['OrderPlaced', timeline[0]!.eventId],
        ['OrderConfirmed', timeline[1]!.eventId],
      ]);
    });
  });

  describe('timeout sweeper', () => {
    it('cancels an order left PENDING past the timeout with reason TIMEOUT', async () => {
      const order = await placeOrder();
      const sweeper = service.container.resolve<PendingOrderSweeper>(TOKENS.PendingOrderSweeper);

      await sweeper.sweep(new Date(Date.now() + service.config.ORDER_PENDING_TIMEOUT_MS + 1_000));

      const res = await request(service.app).get(`/api/orders/${order.id}`).expect(200);
      expect(res.body.data).toMatchObject({ status: 'CANCELLED', cancellation: { reason: 'TIMEOUT' } });
    });
  });

  describe('methods a path does not take', () => {
    it.each([
      ['TRACE', '/api/orders', 'OPTIONS, POST'],
      ['DELETE', `/api/orders/${randomUUID()}`, 'GET, HEAD, OPTIONS'],
      ['PATCH', `/api/orders/${randomUUID()}/status`, 'OPTIONS, PUT'],
      ['GET', `/api/orders/${randomUUID()}/cancel`, 'OPTIONS, POST'],
      ['DELETE', '/health/live', 'GET, HEAD, OPTIONS'],
    ])('%s %s answers 405 HTTP.METHOD_NOT_ALLOWED with Allow: %s', async (method, path, allow) => {
      const res = await request(service.app)[method.toLowerCase() as 'get'](path);

      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe(allow);
      expect(res.headers['x-correlation-id']).toBeTruthy();
      expect(res.body).toMatchObject({
        success: false,
        error: { code: 'HTTP.METHOD_NOT_ALLOWED', details: { allowed: allow.split(', ') } },
      });
    });

    it('an unknown path stays 404', async () => {
      const res = await request(service.app).delete('/api/nothing');

      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('ROUTE.NOT_FOUND');
    });
  });

  describe('API documentation', () => {
    it('serves the OpenAPI document at /docs/openapi.json and Swagger UI at /docs', async () => {
      const document = await request(service.app).get('/docs/openapi.json').expect(200);
      const ui = await request(service.app).get('/docs').redirects(1).expect(200);

      expect(document.body).toEqual(orderOpenApi(service.config.PORT));
      expect(Object.keys(document.body.paths)).toEqual(
        expect.arrayContaining(['/api/orders', '/api/orders/{id}', '/api/orders/{id}/timeline']),
      );
      expect(ui.headers['content-type']).toMatch(/text\/html/);
      expect(ui.text).toContain('swagger-ui');
    });
  });
});

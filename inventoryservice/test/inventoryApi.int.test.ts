import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../test/support/infra.js';
import { ADMIN_KEY } from '../../test/support/http.js';
import { startTestService, type TestServiceOf } from '../../test/support/serviceHarness.js';
import type { ReservationService } from '../src/services/ReservationService.js';
import { createService } from '../src/createService.js';
import { TOKENS } from '../src/tokens.js';
import { buildOrder } from './support/builders.js';

describe('inventory HTTP API (supertest on the service app, real database)', () => {
  let ctx: TestServiceOf<typeof createService>;
  const admin = { 'x-api-key': ADMIN_KEY };

  beforeAll(async () => {
    ctx = await startTestService(createService, 'inv-api', { holdOutbox: TOKENS.Outbox });
  });
  afterAll(async () => {
    await ctx.close();
  });

  const newId = (): string => uniqueName('sku');
  const stored = (productId: string) => ctx.infra.models.products.findOne({ productId }).lean();
  const putStock = (productId: string, body: unknown, headers: Record<string, string> = admin) =>
    request(ctx.app)
      .put(`/api/inventory/${productId}`)
      .set(headers)
      .send(body as object);

  it('starts with the collections of its own models and their indexes created, and no others', async () => {
    const collections = (await ctx.infra.connection.db!.listCollections().toArray()).map((c) => c.name);
    const indexes = await ctx.infra.models.products.listIndexes();

    expect(collections.sort()).toEqual(['products', 'reservations']);
    expect(indexes).toContainEqual(expect.objectContaining({ key: { productId: 1 }, unique: true }));
  });

  describe('PUT /api/inventory/:productId', () => {
    it('creates an unknown product: 201, Location, the product view', async () => {
      const id = newId();

      const res = await putStock(id, { name: 'USB cable', available: 12 });

      expect(res.status).toBe(201);
      expect(res.headers.location).toBe(`/api/inventory/${id}`);
      expect(res.body).toEqual({
        success: true,
        data: { productId: id, name: 'USB cable', available: 12, reserved: 0, sold: 0 },
        message: 'Product created',
      });
      expect(await stored(id)).toMatchObject({ initial: 12, restocked: 0, available: 12 });
    });

    it('restocks an existing product: available is set exactly, the difference is booked as restocked', async () => {
      const id = newId();
      await putStock(id, { available: 10 });
      await ctx.container.resolve<ReservationService>(TOKENS.ReservationService).reserve(buildOrder([[id, 4]]));

      const res = await putStock(id, { available: 20, name: 'Renamed' });

      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ productId: id, name: 'Renamed', available: 20, reserved: 4, sold: 0 });
      const doc = (await stored(id))!;
      expect(doc).toMatchObject({ initial: 10, restocked: 14 });
      expect(doc.initial + doc.restocked).toBe(doc.available + doc.reserved + doc.sold);
    });

    it('without X-Api-Key answers 401 and stores nothing', async () => {
      const id = newId();

      const res = await putStock(id, { available: 5 }, {});

      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ success: false, error: { code: 'AUTH.UNAUTHORIZED' } });
      expect(await stored(id)).toBeNull();
    });

    it('with a wrong X-Api-Key answers 403 and stores nothing', async () => {
      const id = newId();

      const res = await putStock(id, { available: 5 }, { 'x-api-key': 'not-the-key' });

      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ success: false, error: { code: 'AUTH.FORBIDDEN' } });
      expect(await stored(id)).toBeNull();
    });

    it.each([
      ['a negative quantity', { available: -1 }],
      ['a fractional quantity', { available: 1.5 }],
      ['a quantity as a string', { available: '5' }],
      ['no quantity', { name: 'x' }],
      ['an unknown key', { available: 5, price: 3 }],
      ['an empty name', { available: 5, name: '  ' }],
      ['a name of only no-break and ideographic spaces', { available: 5, name: '\u00a0\u3000\ufeff' }],
      ['a name of 201 characters', { available: 5, name: '😀'.repeat(201) }],
      ['a body that is not an object', [1, 2]],
    ])('rejects %s with 400 and stores nothing', async (_case, body) => {
      const id = newId();

      const res = await putStock(id, body);

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: { code: 'REQUEST.VALIDATION_FAILED' } });
      expect(await stored(id)).toBeNull();
    });

    it('rejects an invalid productId with 400 and leaves an existing product unchanged by a bad body', async () => {
      const id = newId();
      await putStock(id, { available: 3 });

      const badId = await putStock('bad.id', { available: 5 });
      const tooLong = await putStock('x'.repeat(65), { available: 5 });
      const badBody = await putStock(id, { available: -5 });

      expect([badId.status, tooLong.status, badBody.status]).toEqual([400, 400, 400]);
      expect(await stored('bad.id')).toBeNull();
      expect((await stored(id))!.available).toBe(3);
    });
  });

  describe('GET /api/inventory and /api/inventory/:productId', () => {
    it('lists products with exactly the public fields', async () => {
      const id = newId();
      await putStock(id, { name: 'Listed', available: 2 });

      const res = await request(ctx.app).get('/api/inventory');

      expect(res.status).toBe(200);
      expect(res.headers['x-correlation-id']).toBeTruthy();
      expect(res.body.data).toContainEqual({ productId: id, name: 'Listed', available: 2, reserved: 0, sold: 0 });
      for (const product of res.body.data)
        expect(Object.keys(product).sort()).toEqual(['available', 'name', 'productId', 'reserved', 'sold']);
    });

    it('returns one product', async () => {
      const id = newId();
      await putStock(id, { name: 'One', available: 9 });

      const res = await request(ctx.app).get(`/api/inventory/${id}`);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true, data: { productId: id, name: 'One', available: 9, reserved: 0, sold: 0 } });
    });

    it('answers 404 INVENTORY.PRODUCT_NOT_FOUND for an unknown product and 400 for an invalid id', async () => {
      const missing = await request(ctx.app).get(`/api/inventory/${newId()}`);
      const invalid = await request(ctx.app).get('/api/inventory/%24where');

      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ success: false, error: { code: 'INVENTORY.PRODUCT_NOT_FOUND' } });
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.code).toBe('REQUEST.VALIDATION_FAILED');
    });
  });

  describe('GET /api/inventory/reservations/:orderId', () => {
    it('returns the reservation of an order with its status and lines', async () => {
      const id = newId();
      await putStock(id, { available: 5 });
      const order = buildOrder(
        [
          [id, 2],
          [id, 1],
        ],
        uniqueName('order'),
      );
      const reservation = await ctx.container.resolve<ReservationService>(TOKENS.ReservationService).reserve(order);

      const res = await request(ctx.app).get(`/api/inventory/reservations/${order.orderId}`);

      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        orderId: order.orderId,
        reservationId: reservation.reservationId,
        status: 'RESERVED',
        items: [{ productId: id, quantity: 3 }],
      });
      expect(Date.parse(res.body.data.createdAt)).not.toBeNaN();
    });

    it('shows why a reservation failed', async () => {
      const order = buildOrder([['no-such-product', 1]], uniqueName('order'));
      await ctx.container.resolve<ReservationService>(TOKENS.ReservationService).reserve(order);

      const res = await request(ctx.app).get(`/api/inventory/reservations/${order.orderId}`);

      expect(res.body.data).toMatchObject({
        status: 'FAILED',
        failure: { reason: 'UNKNOWN_PRODUCT', unknownProductIds: ['no-such-product'] },
      });
    });

    it('answers 404 INVENTORY.RESERVATION_NOT_FOUND for an unknown order and 400 for an invalid order id', async () => {
      const missing = await request(ctx.app).get(`/api/inventory/reservations/${uniqueName('order')}`);
      const invalid = await request(ctx.app).get(`/api/inventory/reservations/${'o'.repeat(65)}`);

      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ success: false, error: { code: 'INVENTORY.RESERVATION_NOT_FOUND' } });
      expect(invalid.status).toBe(400);
    });
  });

  describe('methods a path does not take', () => {
    it.each([
      ['TRACE', '/api/inventory', 'GET, HEAD, OPTIONS'],
      ['DELETE', '/api/inventory/1', 'GET, HEAD, OPTIONS, PUT'],
      ['POST', '/api/inventory/reservations/o-1', 'GET, HEAD, OPTIONS'],
    ])('%s %s answers 405 with Allow: %s and the error body', async (method, path, allow) => {
      const res = await request(ctx.app)[method.toLowerCase() as 'get'](path).set(admin);

      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe(allow);
      expect(res.body).toMatchObject({ success: false, error: { code: 'HTTP.METHOD_NOT_ALLOWED' } });
    });
  });

  it('keeps a product name of 200 emoji (200 characters) and trims the spaces around a name', async () => {
    const emoji = newId();
    const spaced = newId();

    expect((await putStock(emoji, { available: 1, name: '😀'.repeat(200) })).status).toBe(201);
    expect((await putStock(spaced, { available: 1, name: '  Lamp  ' })).body.data.name).toBe('Lamp');
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../tools/lib/eventually.js';
import { admin, http } from '../support/http.js';
import { uniqueName } from '../support/infra.js';
import { isolatedTopicsEnv, startService, type RunningService } from '../support/services.js';

/** The saga over HTTP, with orderservice and inventoryservice as separate processes on the real stack. */
describe('order saga end to end', () => {
  let orders: RunningService;
  let inventory: RunningService;

  beforeAll(async () => {
    const env = isolatedTopicsEnv(uniqueName('saga'));
    [orders, inventory] = await Promise.all([
      startService('orderservice', { dbName: uniqueName('orderdb'), env }),
      startService('inventoryservice', { dbName: uniqueName('inventorydb'), env: { ...env, SEED_CATALOG: 'true' } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([orders?.stop(), inventory?.stop()]);
  });

  const place = (body: unknown, headers: Record<string, string> = {}) => http('POST', `${orders.url}/api/orders`, body, headers);
  const settle = async (id: string, states = 'CONFIRMED,CANCELLED') =>
    (await http('GET', `${orders.url}/api/orders/${id}?waitFor=${states}&timeoutMs=20000`)).body.data;
  const stock = async (productId: string) => (await http('GET', `${inventory.url}/api/inventory/${productId}`)).body.data;
  const eventuallyStock = (productId: string, expected: Record<string, number>) =>
    eventually(
      () => stock(productId),
      (current) => Object.entries(expected).every(([k, v]) => current[k] === v),
      `stock of ${productId} to be ${JSON.stringify(expected)}`,
      20_000,
    );

  it('confirms the task file example order, reserves its stock and computes the exact total', async () => {
    const before = await stock('1');

    const res = await place({ customerId: '123', items: [{ productId: '1', quantity: 2, price: 29.99 }] });

    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/orders/${res.body.data.id}`);
    expect(res.body.data).toMatchObject({ status: 'PENDING', totalAmount: 59.98 });
    expect(await settle(res.body.data.id)).toMatchObject({ status: 'CONFIRMED' });
    await eventuallyStock('1', { available: before.available - 2, reserved: before.reserved + 2 });
  });

  it('cancels an order beyond the stock with INSUFFICIENT_STOCK and takes nothing', async () => {
    const before = await stock('2');

    const res = await place({
      customerId: 'c-short',
      items: [
        { productId: '2', quantity: before.available + 1, price: 1 },
        { productId: '3', quantity: 1, price: 1 },
      ],
    });
    const order = await settle(res.body.data.id);

    expect(order).toMatchObject({ status: 'CANCELLED', cancellation: { reason: 'INSUFFICIENT_STOCK' } });
    expect(await stock('2')).toEqual(before);
  });

  it('cancels an order for an unknown product with UNKNOWN_PRODUCT', async () => {
    const res = await place({ customerId: 'c-unknown', items: [{ productId: 'no-such-product', quantity: 1, price: 10 }] });

    expect(await settle(res.body.data.id)).toMatchObject({ status: 'CANCELLED', cancellation: { reason: 'UNKNOWN_PRODUCT' } });
  });

  it('releases the stock when the customer cancels a confirmed order', async () => {
    const before = await stock('4');
    const res = await place({ customerId: 'c-cancel', items: [{ productId: '4', quantity: 3, price: 2.5 }] });
    await settle(res.body.data.id);
    await eventuallyStock('4', { available: before.available - 3 });

    const cancelled = await http('POST', `${orders.url}/api/orders/${res.body.data.id}/cancel`, { reason: 'changed my mind' });

    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data).toMatchObject({ status: 'CANCELLED', cancellation: { reason: 'CUSTOMER_REQUEST' } });
    await eventuallyStock('4', before);
    const reservation = await http('GET', `${inventory.url}/api/inventory/reservations/${res.body.data.id}`);
    expect(reservation.body.data.status).toBe('RELEASED');
  });

  it('ships (reserved stock becomes sold), delivers, and refuses an invalid transition with 409', async () => {
    const before = await stock('5');
    const res = await place({ customerId: 'c-ship', items: [{ productId: '5', quantity: 2, price: 3 }] });
    const id = res.body.data.id;
    await settle(id);

    const shipped = await http('PUT', `${orders.url}/api/orders/${id}/status`, { status: 'SHIPPED' }, admin);
    expect(shipped.status).toBe(200);
    await eventuallyStock('5', { available: before.available - 2, reserved: before.reserved, sold: before.sold + 2 });

    const delivered = await http('PUT', `${orders.url}/api/orders/${id}/status`, { status: 'DELIVERED' }, admin);
    expect(delivered.body.data.status).toBe('DELIVERED');

    const backwards = await http('PUT', `${orders.url}/api/orders/${id}/status`, { status: 'CONFIRMED' }, admin);
    expect(backwards.status).toBe(409);
    expect(backwards.body).toMatchObject({ success: false, error: { code: 'ORDER.CONFIRM_BY_SAGA_ONLY' } });
    const cancelAfterDelivery = await http('POST', `${orders.url}/api/orders/${id}/cancel`, {});
    expect(cancelAfterDelivery.status).toBe(409);

    const timeline = await http('GET', `${orders.url}/api/orders/${id}/timeline`);
    expect(timeline.body.data.map((e: { status: string }) => e.status)).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED']);
  });

  it('refuses an admin CONFIRMED while inventory is paused, and the order ends CANCELLED once inventory answers (issue 9)', async () => {
    expect((await http('PUT', `${inventory.url}/api/inventory/sold-out`, { name: 'Sold out', available: 0 }, admin)).status).toBe(201);
    inventory.child.kill('SIGSTOP');
    let id: string;
    try {
      const res = await place({ customerId: 'c-admin-confirm', items: [{ productId: 'sold-out', quantity: 1, price: 5 }] });
      expect(res.status).toBe(201);
      id = res.body.data.id;

      const confirm = await http('PUT', `${orders.url}/api/orders/${id}/status`, { status: 'CONFIRMED' }, admin);

      expect(confirm.status).toBe(409);
      expect(confirm.body.error).toMatchObject({ code: 'ORDER.CONFIRM_BY_SAGA_ONLY', details: { from: 'PENDING' } });
      expect((await http('GET', `${orders.url}/api/orders/${id}`)).body.data.status).toBe('PENDING');
    } finally {
      inventory.child.kill('SIGCONT');
    }

    expect(await settle(id)).toMatchObject({ status: 'CANCELLED', cancellation: { reason: 'INSUFFICIENT_STOCK' } });
    const shipped = await http('PUT', `${orders.url}/api/orders/${id}/status`, { status: 'SHIPPED' }, admin);
    expect(shipped.status).toBe(409);
    const timeline = await http('GET', `${orders.url}/api/orders/${id}/timeline`);
    expect(timeline.body.data.map((e: { status: string }) => e.status)).toEqual(['PENDING', 'CANCELLED']);
    expect(await stock('sold-out')).toMatchObject({ available: 0, reserved: 0, sold: 0 });
  });

  it('returns the same order for a replayed Idempotency-Key, and 409 for the key with another body', async () => {
    const key = randomUUID();
    const body = {
      customerId: 'c-idem',
      items: [
        { productId: '6', quantity: 1, price: 0.1 },
        { productId: '7', quantity: 1, price: 0.2 },
      ],
    };

    const first = await place(body, { 'idempotency-key': key });
    const replay = await place(body, { 'idempotency-key': key });
    const different = await place({ ...body, customerId: 'someone-else' }, { 'idempotency-key': key });

    expect(first.status).toBe(201);
    expect(first.body.data.totalAmount).toBe(0.3);
    expect(replay.status).toBe(200);
    expect(replay.body.data.id).toBe(first.body.data.id);
    expect(different.status).toBe(409);
    const listed = await http('GET', `${orders.url}/api/orders/customer/c-idem`);
    expect(listed.body.data.orders).toHaveLength(1);
  });

  it('every response carries X-Correlation-Id and admin routes need the key', async () => {
    const noKey = await http('PUT', `${orders.url}/api/orders/${randomUUID()}/status`, { status: 'SHIPPED' });
    const wrongKey = await http('PUT', `${inventory.url}/api/inventory/1`, { available: 5 }, { 'x-api-key': 'wrong' });

    expect(noKey.status).toBe(401);
    expect(wrongKey.status).toBe(403);
    expect(noKey.headers.get('x-correlation-id')).toBeTruthy();
    expect(wrongKey.headers.get('x-correlation-id')).toBeTruthy();
  });
});

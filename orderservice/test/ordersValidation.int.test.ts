import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrderRequest } from './support/builders.js';
import { eventually } from '../../tools/lib/eventually.js';
import { startTestService, type TestServiceOf } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import { messageCount } from './support/topics.js';

type BadRequest = [name: string, send: (app: TestServiceOf<typeof createService>['app']) => request.Test, status: number, code: string];

const json = (body: unknown) => (app: TestServiceOf<typeof createService>['app']) =>
  request(app).post('/api/orders').set('Content-Type', 'application/json').send(JSON.stringify(body));
const raw =
  (body: string, contentType = 'application/json') =>
  (app: TestServiceOf<typeof createService>['app']) =>
    request(app).post('/api/orders').set('Content-Type', contentType).send(body);
const line = (overrides: Record<string, unknown>) => ({ items: [{ productId: 'p-1', quantity: 1, price: 1, ...overrides }] });

const BAD_REQUESTS: BadRequest[] = [
  ['malformed JSON', raw('{"customerId": "c-1", "items": ['), 400, 'REQUEST.MALFORMED_JSON'],
  ['a JSON null body', raw('null'), 400, 'REQUEST.MALFORMED_JSON'],
  ['an empty JSON body', raw(''), 400, 'REQUEST.VALIDATION_FAILED'],
  ['a JSON array body', json([buildOrderRequest()]), 400, 'REQUEST.VALIDATION_FAILED'],
  ['a numeric customerId', json(buildOrderRequest({ customerId: 42 as never })), 400, 'REQUEST.VALIDATION_FAILED'],
  ['items that are not an array', json(buildOrderRequest({ items: 'p-1' as never })), 400, 'REQUEST.VALIDATION_FAILED'],
  ['a quantity sent as a string', json(buildOrderRequest(line({ quantity: '2' }))), 400, 'REQUEST.VALIDATION_FAILED'],
  ['a price sent as a string', json(buildOrderRequest(line({ price: '19.99' }))), 400, 'REQUEST.VALIDATION_FAILED'],
  ['a negative quantity', json(buildOrderRequest(line({ quantity: -1 }))), 400, 'REQUEST.VALIDATION_FAILED'],
  ['a zero quantity', json(buildOrderRequest(line({ quantity: 0 }))), 400, 'REQUEST.VALIDATION_FAILED'],
  ['a fractional quantity', json(buildOrderRequest(line({ quantity: 1.5 }))), 400, 'REQUEST.VALIDATION_FAILED'],
  ['a 3-decimal price', json(buildOrderRequest(line({ price: 1.005 }))), 400, 'REQUEST.VALIDATION_FAILED'],
  [
    'the smallest double as a price (not a multiple of 0.01)',
    json(buildOrderRequest(line({ price: 5e-324 }))),
    400,
    'REQUEST.VALIDATION_FAILED',
  ],
  ['a blank customer name', json(buildOrderRequest({ customer: { name: '\u00a0 \t' } })), 400, 'REQUEST.VALIDATION_FAILED'],
  ['a negative price', json(buildOrderRequest(line({ price: -5 }))), 400, 'REQUEST.VALIDATION_FAILED'],
  ['a price above the cap', json(buildOrderRequest(line({ price: 1_000_000.01 }))), 400, 'REQUEST.VALIDATION_FAILED'],
  ['no items', json(buildOrderRequest({ items: [] })), 400, 'REQUEST.VALIDATION_FAILED'],
  [
    '101 items',
    json(buildOrderRequest({ items: Array.from({ length: 101 }, (_, i) => ({ productId: `p-${i}`, quantity: 1, price: 1 })) })),
    400,
    'REQUEST.VALIDATION_FAILED',
  ],
  ['a missing customerId', json({ items: buildOrderRequest().items }), 400, 'REQUEST.VALIDATION_FAILED'],
  ['a customerId with odd characters', json(buildOrderRequest({ customerId: 'c 1; drop' })), 400, 'REQUEST.VALIDATION_FAILED'],
  ['an unknown top-level key', json({ ...buildOrderRequest(), status: 'CONFIRMED' }), 400, 'REQUEST.VALIDATION_FAILED'],
  ['an unknown key in a line', json(buildOrderRequest(line({ discount: 50 }))), 400, 'REQUEST.VALIDATION_FAILED'],
  [
    'an unknown key in customer',
    json(buildOrderRequest({ customer: { email: 'a@b.co', vip: true } as never })),
    400,
    'REQUEST.VALIDATION_FAILED',
  ],
  ['an invalid email', json(buildOrderRequest({ customer: { email: 'nope' } })), 400, 'REQUEST.VALIDATION_FAILED'],
  ['an invalid phone', json(buildOrderRequest({ customer: { phone: 'call me maybe' } })), 400, 'REQUEST.VALIDATION_FAILED'],
  ['a $-operator as customerId', json({ ...buildOrderRequest(), customerId: { $gt: '' } }), 400, 'REQUEST.FORBIDDEN_KEY'],
  ['a $-operator inside a line', json(buildOrderRequest(line({ productId: { $ne: null } }))), 400, 'REQUEST.FORBIDDEN_KEY'],
  [
    'a $-operator inside customer',
    json(buildOrderRequest({ customer: { email: { $regex: '.*' } } as never })),
    400,
    'REQUEST.FORBIDDEN_KEY',
  ],
  ['a top-level $where', json({ ...buildOrderRequest(), $where: 'sleep(1000)' }), 400, 'REQUEST.FORBIDDEN_KEY'],
  ['a dotted key', json({ ...buildOrderRequest(), 'customer.email': 'x@y.z' }), 400, 'REQUEST.FORBIDDEN_KEY'],
  [
    'a __proto__ key',
    raw(`{"customerId":"c-1","items":[{"productId":"p","quantity":1,"price":1}],"__proto__":{"admin":true}}`),
    400,
    'REQUEST.FORBIDDEN_KEY',
  ],
  [
    'a $-operator in the query string',
    (app) => request(app).post('/api/orders?$where=1').send(buildOrderRequest()),
    400,
    'REQUEST.FORBIDDEN_KEY',
  ],
  ['a 1 MB body', json({ ...buildOrderRequest(), padding: 'x'.repeat(1024 * 1024) }), 413, 'REQUEST.TOO_LARGE'],
  ['a text/plain body', raw(JSON.stringify(buildOrderRequest()), 'text/plain'), 415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE'],
  ['a form-encoded body', raw('customerId=c-1', 'application/x-www-form-urlencoded'), 415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE'],
  [
    'an invalid Idempotency-Key',
    (app) => request(app).post('/api/orders').set('Idempotency-Key', 'has spaces in it').send(buildOrderRequest()),
    400,
    'REQUEST.VALIDATION_FAILED',
  ],
];

describe('POST /api/orders refuses bad input, stores nothing and publishes nothing', () => {
  let service: TestServiceOf<typeof createService>;
  beforeAll(async () => {
    service = await startTestService(createService, 'orders-validation', { kafka: true });
  });
  afterAll(async () => {
    await service?.close();
  });

  it.each(BAD_REQUESTS)('%s → %i %s', async (_name, send, status, code) => {
    const res = await send(service.app);

    expect(res.status).toBe(status);
    expect(res.body).toEqual({ success: false, error: expect.objectContaining({ code, message: expect.any(String) }) });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/); // no stack traces
    expect(await service.infra.models.orders.countDocuments()).toBe(0);
  });

  it.each([
    ['a $-operator in the customer list query', '/api/orders/customer/c-1?$gt=1', 'REQUEST.FORBIDDEN_KEY'],
    ['a bracketed operator in the customer list query', '/api/orders/customer/c-1?limit[$gt]=1', 'REQUEST.VALIDATION_FAILED'],
    [
      'a $-operator in a long-poll query',
      '/api/orders/00000000-0000-4000-8000-000000000000?waitFor=CONFIRMED&$where=1',
      'REQUEST.FORBIDDEN_KEY',
    ],
  ])('refuses %s with 400', async (_name, url, code) => {
    const res = await request(service.app).get(url);

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
  });

  it('after all of them the order topic is still empty — and a valid order does reach it', async () => {
    const topic = service.config.ORDER_EVENTS_TOPIC;

    expect(await service.infra.models.orders.countDocuments()).toBe(0);
    expect(await messageCount(topic)).toBe(0);

    // Control: the same pipeline publishes a valid order, so the empty topic above means something.
    await request(service.app).post('/api/orders').send(buildOrderRequest()).expect(201);
    await eventually(
      () => messageCount(topic),
      (count) => count === 1,
      'the valid order published',
    );
    expect(await service.infra.models.orders.countDocuments()).toBe(1);
  });
});

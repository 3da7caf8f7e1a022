import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { sendSuccess } from '../src/http/index.js';
import { buildTestApp } from './support/buildTestApp.js';

function appEchoingInput() {
  return buildTestApp({
    bodyLimit: '64kb',
    routes: (app) => {
      app.post('/echo', (req, res) => sendSuccess(res, 200, { body: req.body, query: req.query }));
      app.get('/echo', (req, res) => sendSuccess(res, 200, { query: req.query }));
    },
  });
}

const postJson = (app: Parameters<typeof request>[0], raw: string) =>
  request(app).post('/echo').set('Content-Type', 'application/json').send(raw);

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}

describe('forbidden keys guard', () => {
  it('when a $-operator hides inside an array, answers 400 REQUEST.FORBIDDEN_KEY with its path', async () => {
    const { app } = appEchoingInput();

    const res = await request(app)
      .post('/echo')
      .send({ items: [{ productId: '1' }, { productId: { $where: 'sleep(1000)' } }] });

    expect(res.status).toBe(400);
    expect(res.headers['x-correlation-id']).toBeTruthy();
    expect(res.body).toEqual({
      success: false,
      error: {
        code: 'REQUEST.FORBIDDEN_KEY',
        message: 'Request body contains a forbidden key',
        details: { location: 'body', path: 'items.1.productId.$where' },
      },
    });
  });

  it('when a key is dotted, answers 400 REQUEST.FORBIDDEN_KEY', async () => {
    const { app } = appEchoingInput();

    const res = await request(app)
      .post('/echo')
      .send({ customer: { 'address.city': 'x' } });

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'REQUEST.FORBIDDEN_KEY', details: { path: 'customer.address.city' } });
  });

  it('when raw JSON smuggles __proto__, answers 400 REQUEST.FORBIDDEN_KEY', async () => {
    const { app } = appEchoingInput();

    const res = await postJson(app, '{"customer":{"__proto__":{"isAdmin":true}}}');

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'REQUEST.FORBIDDEN_KEY', details: { location: 'body', path: 'customer.__proto__' } });
  });

  it('when a body key is constructor or prototype, answers 400 REQUEST.FORBIDDEN_KEY', async () => {
    const { app } = appEchoingInput();

    const withConstructor = await postJson(app, '{"constructor":{"prototype":{"x":1}}}');
    const withPrototype = await postJson(app, '[{"prototype":1}]');

    expect([withConstructor.status, withConstructor.body.error.code]).toEqual([400, 'REQUEST.FORBIDDEN_KEY']);
    expect(withPrototype.body.error).toMatchObject({ code: 'REQUEST.FORBIDDEN_KEY', details: { path: '0.prototype' } });
  });

  it('when a query key starts with $, answers 400 REQUEST.FORBIDDEN_KEY for the query', async () => {
    const { app } = appEchoingInput();

    const res = await request(app).get('/echo?customerId=c-1&$gt=5');

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'REQUEST.FORBIDDEN_KEY', details: { location: 'query', path: '$gt' } });
  });

  it('when the body nests deeper than 20 levels, answers 400 REQUEST.TOO_DEEP', async () => {
    const { app } = appEchoingInput();

    const res = await request(app)
      .post('/echo')
      .send(nested(25) as object);

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('REQUEST.TOO_DEEP');
  });

  it('when the input is clean and within depth, passes it through unchanged', async () => {
    const { app } = appEchoingInput();
    const body = { customerId: 'c-1', items: [{ productId: '1', quantity: 2, price: 9.99 }], deep: nested(19) };

    const res = await request(app).post('/echo?limit=5').send(body);

    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ body, query: { limit: '5' } });
  });

  it('when a value (not a key) contains $ or dots, accepts it', async () => {
    const { app } = appEchoingInput();

    const res = await request(app).post('/echo').send({ email: 'first.last@example.com', note: '$5 off' });

    expect(res.status).toBe(200);
  });
});

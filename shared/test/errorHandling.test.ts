import net from 'node:net';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError, DependencyUnavailableError, NotFoundError } from '../src/errors/DomainError.js';
import { sendSuccess } from '../src/http/index.js';
import { closeHttpServer, startHttpServer } from '../src/runtime/startHttpServer.js';
import { buildTestApp } from './support/buildTestApp.js';

const orderSchema = z.strictObject({ customerId: z.string().min(1), quantity: z.number().int().positive() });

function appWithFailingRoutes() {
  return buildTestApp({
    routes: (app) => {
      app.post('/orders', (req, res) => sendSuccess(res, 201, orderSchema.parse(req.body), 'Order accepted'));
      app.get('/orders/:id', (req) => {
        throw new NotFoundError('ORDER.NOT_FOUND', `Order ${req.params.id} not found`, { orderId: req.params.id });
      });
      app.post('/orders/:id/cancel', async () => {
        throw new ConflictError('ORDER.INVALID_TRANSITION', 'Cannot cancel a DELIVERED order');
      });
      app.get('/ready-dependency', async () => {
        throw new DependencyUnavailableError('Database unavailable');
      });
      app.get('/socket-ended', async () => {
        // What the driver let through once while the database restarted (net.js writeAfterFIN).
        throw Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' });
      });
      app.get('/bulk-timed-out', async () => {
        // What the driver throws when an insertMany or bulkWrite times out (seen with the database SIGSTOPped):
        // the bulk error keeps the timeout as `errorResponse`, not as its cause.
        const timeout = Object.assign(new Error('Timed out during connection checkout'), { name: 'MongoOperationTimeoutError' });
        throw Object.assign(new Error('Timed out during connection checkout'), {
          name: 'MongoBulkWriteError',
          errorResponse: timeout,
          writeErrors: [],
        });
      });
      app.get('/bulk-refused', async () => {
        const refused = Object.assign(new Error('E11000 duplicate key error'), { name: 'MongoServerError', code: 11000 });
        throw Object.assign(new Error('E11000 duplicate key error'), { name: 'MongoBulkWriteError', errorResponse: refused, code: 11000 });
      });
      app.get('/boom', async () => {
        throw new Error('connect ECONNREFUSED 10.0.0.7:27017 password=hunter2');
      });
    },
  });
}

describe('error responses', () => {
  it('when a handler succeeds, answers the success body with data and message', async () => {
    const { app } = appWithFailingRoutes();

    const res = await request(app).post('/orders').send({ customerId: 'c-1', quantity: 2 });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({ success: true, data: { customerId: 'c-1', quantity: 2 }, message: 'Order accepted' });
  });

  it('when a DomainError is thrown, answers its status, code, message and details', async () => {
    const { app } = appWithFailingRoutes();

    const res = await request(app).get('/orders/42');

    expect(res.status).toBe(404);
    expect(res.headers['x-correlation-id']).toBeTruthy();
    expect(res.body).toEqual({
      success: false,
      error: { code: 'ORDER.NOT_FOUND', message: 'Order 42 not found', details: { orderId: '42' } },
    });
  });

  it('when an async handler throws a conflict without details, answers 409 and omits details', async () => {
    const { app } = appWithFailingRoutes();

    const res = await request(app).post('/orders/42/cancel');

    expect(res.status).toBe(409);
    expect(res.body).toEqual({ success: false, error: { code: 'ORDER.INVALID_TRANSITION', message: 'Cannot cancel a DELIVERED order' } });
  });

  it('when a dependency is unavailable, answers 503 with DEPENDENCY.UNAVAILABLE', async () => {
    const { app } = appWithFailingRoutes();

    const res = await request(app).get('/ready-dependency');

    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('DEPENDENCY.UNAVAILABLE');
  });

  it('when the database socket was closed under a write (EPIPE, ECONNRESET), answers 503, not 500', async () => {
    const { app } = appWithFailingRoutes();

    const res = await request(app).get('/socket-ended');

    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('DEPENDENCY.UNAVAILABLE');
  });

  it('when a bulk write timed out against the database, answers 503; a bulk write the server refused stays a 500', async () => {
    const { app } = appWithFailingRoutes();

    const timedOut = await request(app).get('/bulk-timed-out');
    const refused = await request(app).get('/bulk-refused');

    expect([timedOut.status, timedOut.body.error.code]).toEqual([503, 'DEPENDENCY.UNAVAILABLE']);
    expect(refused.status).toBe(500);
  });

  it('when zod rejects the body, answers 400 REQUEST.VALIDATION_FAILED with each issue path and message', async () => {
    const { app } = appWithFailingRoutes();

    const res = await request(app).post('/orders').send({ customerId: '', quantity: 1.5, extra: true });

    expect(res.status).toBe(400);
    expect(res.headers['x-correlation-id']).toBeTruthy();
    expect(res.body.success).toBe(false);
    expect(res.body.error.code).toBe('REQUEST.VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['', 'customerId', 'quantity']);
    expect(res.body.error.details.every((d: { message: unknown }) => typeof d.message === 'string')).toBe(true);
  });

  it('when an unexpected error is thrown, answers a generic 500 and logs the stack without sending it', async () => {
    const { app, logs } = appWithFailingRoutes();

    const res = await request(app).get('/boom').set('X-Correlation-Id', 'corr-boom');

    expect(res.status).toBe(500);
    expect(res.headers['x-correlation-id']).toBe('corr-boom');
    expect(res.body).toEqual({ success: false, error: { code: 'INTERNAL', message: 'Internal server error' } });
    expect(res.text).not.toMatch(/hunter2|ECONNREFUSED|at /);
    const errorLine = logs.lines.find((line) => line.msg === 'Request failed');
    expect(errorLine).toMatchObject({ level: 'error', correlationId: 'corr-boom' });
    expect((errorLine?.err as { stack?: string }).stack).toContain('ECONNREFUSED');
  });

  it('when no route matches, answers 404 ROUTE.NOT_FOUND', async () => {
    const { app } = appWithFailingRoutes();

    const res = await request(app).get('/nowhere');

    expect(res.status).toBe(404);
    expect(res.headers['x-correlation-id']).toBeTruthy();
    expect(res.body).toEqual({ success: false, error: { code: 'ROUTE.NOT_FOUND', message: 'No route for GET /nowhere' } });
  });

  it('when the body is over the limit, answers 413 with REQUEST.TOO_LARGE', async () => {
    const { app } = appWithFailingRoutes();

    const res = await request(app)
      .post('/orders')
      .send({ customerId: 'x'.repeat(2048), quantity: 1 });

    expect(res.status).toBe(413);
    expect(res.headers['x-correlation-id']).toBeTruthy();
    expect(res.body).toEqual({ success: false, error: { code: 'REQUEST.TOO_LARGE', message: 'Request body is too large' } });
  });

  it('when the JSON is malformed, answers 400 REQUEST.MALFORMED_JSON without the parser message', async () => {
    const { app } = appWithFailingRoutes();

    const res = await request(app).post('/orders').set('Content-Type', 'application/json').send('{"customerId": ');

    expect(res.status).toBe(400);
    expect(res.headers['x-correlation-id']).toBeTruthy();
    expect(res.body).toEqual({ success: false, error: { code: 'REQUEST.MALFORMED_JSON', message: 'Request body is not valid JSON' } });
  });

  it('when the JSON body is a bare string, answers 400 REQUEST.MALFORMED_JSON (strict mode)', async () => {
    const { app } = appWithFailingRoutes();

    const res = await request(app).post('/orders').set('Content-Type', 'application/json').send('"just a string"');

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('REQUEST.MALFORMED_JSON');
  });

  it('when the body is not JSON, answers 415 REQUEST.UNSUPPORTED_MEDIA_TYPE', async () => {
    const { app } = appWithFailingRoutes();

    const res = await request(app).post('/orders').set('Content-Type', 'text/plain').send('customerId=c-1');

    expect(res.status).toBe(415);
    expect(res.headers['x-correlation-id']).toBeTruthy();
    expect(res.body).toEqual({
      success: false,
      error: { code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE', message: 'Request body must be application/json' },
    });
  });

  it('when a form-encoded body arrives, answers 415', async () => {
    const { app } = appWithFailingRoutes();

    const res = await request(app).post('/orders').type('form').send({ customerId: 'c-1' });

    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('REQUEST.UNSUPPORTED_MEDIA_TYPE');
  });

  it('when the JSON charset is unsupported, answers 415', async () => {
    const { app } = appWithFailingRoutes();

    const res = await request(app).post('/orders').set('Content-Type', 'application/json; charset=latin1').send('{"customerId":"c"}');

    expect(res.status).toBe(415);
    expect(res.headers['x-correlation-id']).toBeTruthy();
    expect(res.body.error.code).toBe('REQUEST.UNSUPPORTED_MEDIA_TYPE');
  });

  it('when a POST has no body at all, lets it through to the route', async () => {
    const { app } = appWithFailingRoutes();

    const res = await request(app).post('/orders/42/cancel');

    expect(res.status).toBe(409);
  });

  it('when any response is sent, it carries the helmet security headers', async () => {
    const { app } = appWithFailingRoutes();

    const res = await request(app).get('/orders/1');

    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('when a path param is not valid percent-encoding, answers 400 instead of 500', async () => {
    const { app } = appWithFailingRoutes();

    const res = await request(app).get('/orders/%E0%A4%A');

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      error: { code: 'REQUEST.MALFORMED_URI', message: 'Request path is not valid percent-encoding' },
    });
  });

  it.each([
    ['an unknown method', 'FUZZ /orders HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'REQUEST.MALFORMED'],
    ['headers over the 16 KB limit', `GET /orders/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431, 'REQUEST.HEADERS_TOO_LARGE'],
  ])('when the HTTP parser refuses %s, still answers the error body with a correlation id', async (_case, raw, status, code) => {
    const { app, logger } = appWithFailingRoutes();
    const server = await startHttpServer(app, '127.0.0.1', 0, logger);
    try {
      const { port } = server.address() as net.AddressInfo;
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.end(raw));
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      const [head = '', body = ''] = answer.split('\r\n\r\n');

      expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(head).toMatch(/\r\nX-Correlation-Id: [0-9a-f-]{36}\r\n/i);
      expect(JSON.parse(body)).toEqual({ success: false, error: { code, message: expect.any(String) } });
    } finally {
      await closeHttpServer(server);
    }
  });
});

import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { currentContext } from '../src/context/requestContext.js';
import { sendSuccess } from '../src/http/index.js';
import { buildTestApp } from './support/buildTestApp.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function appShowingContext() {
  return buildTestApp({
    routes: (app) => {
      app.post('/context', async (req, res) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        req.log.info('handler ran');
        sendSuccess(res, 200, currentContext() ?? null);
      });
    },
  });
}

describe('correlation id', () => {
  it('when the request carries a sane X-Correlation-Id, echoes it and runs the handler inside it', async () => {
    const { app } = appShowingContext();

    const res = await request(app).post('/context').set('X-Correlation-Id', 'order-123:abc').send({ a: 1 });

    expect(res.status).toBe(200);
    expect(res.headers['x-correlation-id']).toBe('order-123:abc');
    expect(res.body.data).toEqual({ correlationId: 'order-123:abc' });
  });

  it('when the request has no correlation id, generates a UUID', async () => {
    const { app } = appShowingContext();

    const res = await request(app).post('/context').send({});

    expect(res.headers['x-correlation-id']).toMatch(UUID);
    expect(res.body.data.correlationId).toBe(res.headers['x-correlation-id']);
  });

  it('when the offered correlation id is not a sane token, replaces it with a UUID', async () => {
    const { app } = appShowingContext();

    const res = await request(app).post('/context').set('X-Correlation-Id', 'bad id with spaces<script>').send({});

    expect(res.headers['x-correlation-id']).toMatch(UUID);
  });

  it('when a valid traceparent arrives, keeps it in the context; an invalid one is dropped', async () => {
    const { app } = appShowingContext();

    const valid = await request(app).post('/context').set('traceparent', TRACEPARENT).send({});
    const invalid = await request(app).post('/context').set('traceparent', '00-nothex-01').send({});

    expect(valid.body.data.traceparent).toBe(TRACEPARENT);
    expect(invalid.body.data).not.toHaveProperty('traceparent');
  });

  it('when a request is handled, its log lines carry the correlation id and no body', async () => {
    const { app, logs } = appShowingContext();

    await request(app).post('/context').set('X-Correlation-Id', 'corr-log-1').send({ secret: 'body-value' });

    const handlerLine = logs.lines.find((line) => line.msg === 'handler ran');
    const requestLine = logs.lines.find((line) => line.msg === 'POST /context 200');
    expect(handlerLine).toMatchObject({ correlationId: 'corr-log-1', service: 'test-service' });
    expect(requestLine).toMatchObject({
      correlationId: 'corr-log-1',
      req: { method: 'POST', url: '/context' },
      res: { statusCode: 200 },
      durationMs: expect.any(Number),
    });
    expect(logs.raw.join('')).not.toContain('body-value');
  });

  it('when health or metrics are polled, writes no request log line', async () => {
    const { app, logs } = appShowingContext();

    await request(app).get('/health/live');
    await request(app).get('/metrics');

    expect(logs.lines.filter((line) => line.component === 'http')).toEqual([]);
  });
});

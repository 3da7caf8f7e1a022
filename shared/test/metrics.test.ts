import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../src/errors/DomainError.js';
import { sendSuccess } from '../src/http/index.js';
import { buildTestApp } from './support/buildTestApp.js';

function appWithOrdersRouter() {
  return buildTestApp({
    routes: (app) => {
      const orders = express.Router();
      orders.get('/:id', (req, res) => sendSuccess(res, 200, { id: req.params.id }));
      orders.post('/:id/cancel', () => {
        throw new NotFoundError('ORDER.NOT_FOUND', 'Order not found');
      });
      app.use('/api/orders', orders);
    },
  });
}

const durationSeries = (text: string) => text.split('\n').filter((line) => line.startsWith('http_request_duration_seconds_count'));

describe('/metrics', () => {
  it('when requests were served, exposes http_request_duration_seconds labelled by route pattern, never the raw URL', async () => {
    const { app } = appWithOrdersRouter();
    await request(app).get('/api/orders/order-777');
    await request(app).post('/api/orders/order-888/cancel');
    await request(app).get('/does/not/exist-999');

    const res = await request(app).get('/metrics');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const series = durationSeries(res.text);
    expect(series).toContain('http_request_duration_seconds_count{method="GET",route="/api/orders/:id",status="200"} 1');
    expect(series).toContain('http_request_duration_seconds_count{method="POST",route="/api/orders/:id/cancel",status="404"} 1');
    expect(series).toContain('http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1');
    expect(res.text).not.toMatch(/order-777|order-888|exist-999/);
  });

  it('when scraped, also serves the default process metrics', async () => {
    const { app } = appWithOrdersRouter();

    const res = await request(app).get('/metrics');

    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('when scraped, exports what /health/ready would say: service_ready and service_dependency_up per check', async () => {
    let kafkaUp = true;
    const { app } = buildTestApp({
      healthChecks: [
        { name: 'mongodb', check: () => true },
        { name: 'kafka', check: () => kafkaUp },
      ],
    });

    const ready = (await request(app).get('/metrics')).text;
    kafkaUp = false;
    const notReady = (await request(app).get('/metrics')).text;

    expect(ready).toMatch(/^service_ready 1$/m);
    expect(ready).toMatch(/^service_dependency_up\{dependency="kafka"\} 1$/m);
    expect(notReady).toMatch(/^service_ready 0$/m);
    expect(notReady).toMatch(/^service_dependency_up\{dependency="kafka"\} 0$/m);
    expect(notReady).toMatch(/^service_dependency_up\{dependency="mongodb"\} 1$/m);
  });
});

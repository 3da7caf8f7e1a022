import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { sendSuccess } from '../src/http/index.js';
import { buildTestApp } from './support/buildTestApp.js';

function appLimitedTo(max: number) {
  return buildTestApp({
    rateLimitMax: max,
    routes: (app) => app.get('/api/ping', (_req, res) => sendSuccess(res, 200, 'pong')),
  });
}

describe('rate limiting', () => {
  it('when a client exceeds the limit, answers 429 RATE_LIMITED with standard rate-limit headers', async () => {
    const { app } = appLimitedTo(3);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await request(app).get('/api/ping')).status);

    const res = await request(app).get('/api/ping');

    expect(statuses).toEqual([200, 200, 200]);
    expect(res.status).toBe(429);
    expect(res.headers['x-correlation-id']).toBeTruthy();
    expect(res.headers.ratelimit).toMatch(/limit=3, remaining=0/);
    expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    expect(res.body).toEqual({ success: false, error: { code: 'RATE_LIMITED', message: 'Too many requests, please retry later' } });
  });

  it('when health and metrics are polled past the limit, they are never rate limited', async () => {
    const { app } = appLimitedTo(1);
    await request(app).get('/api/ping');
    await request(app).get('/api/ping');

    const live = await request(app).get('/health/live');
    const metrics = await request(app).get('/metrics');

    expect([live.status, metrics.status]).toEqual([200, 200]);
  });
});

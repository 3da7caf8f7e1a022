import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { HealthCheck } from '../src/http/index.js';
import { buildTestApp } from './support/buildTestApp.js';

const up = (name: string): HealthCheck => ({ name, check: () => true });

describe('health endpoints', () => {
  it('when the process is up, /health/live answers 200 ok even if dependencies are down', async () => {
    const { app } = buildTestApp({ healthChecks: [{ name: 'mongo', check: () => false }] });

    const res = await request(app).get('/health/live');

    expect(res.status).toBe(200);
    expect(res.headers['x-correlation-id']).toBeTruthy();
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('when every check is up, /health/ready answers 200 ready with each check', async () => {
    const { app } = buildTestApp({ healthChecks: [up('mongo'), { name: 'kafka', check: async () => true }] });

    const res = await request(app).get('/health/ready');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { mongo: 'up', kafka: 'up' } });
  });

  it('when a check fails, throws or hangs, /health/ready answers 503 naming which are down', async () => {
    const { app } = buildTestApp({
      healthChecks: [
        up('mongo'),
        { name: 'kafka', check: async () => false },
        {
          name: 'throws',
          check: () => {
            throw new Error('boom');
          },
        },
        { name: 'hangs', check: () => new Promise<boolean>(() => undefined) },
      ],
    });

    const res = await request(app).get('/health/ready');

    expect(res.status).toBe(503);
    expect(res.headers['x-correlation-id']).toBeTruthy();
    expect(res.body).toEqual({ status: 'not_ready', checks: { mongo: 'up', kafka: 'down', throws: 'down', hangs: 'down' } });
  });
});

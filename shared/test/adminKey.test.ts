import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { requireAdminKey, sendSuccess } from '../src/http/index.js';
import { buildTestApp } from './support/buildTestApp.js';

const ADMIN_KEY = 'a-long-admin-key-for-tests';

function appWithAdminRoute() {
  return buildTestApp({
    routes: (app) => {
      app.put('/admin/thing', requireAdminKey(ADMIN_KEY), (_req, res) => sendSuccess(res, 200, { updated: true }));
    },
  });
}

describe('requireAdminKey', () => {
  it('when X-Api-Key is missing, answers 401 AUTH.UNAUTHORIZED', async () => {
    const { app } = appWithAdminRoute();

    const res = await request(app).put('/admin/thing').send({});

    expect(res.status).toBe(401);
    expect(res.headers['x-correlation-id']).toBeTruthy();
    expect(res.body).toEqual({ success: false, error: { code: 'AUTH.UNAUTHORIZED', message: 'Missing X-Api-Key header' } });
  });

  it('when X-Api-Key is wrong, answers 403 AUTH.FORBIDDEN', async () => {
    const { app } = appWithAdminRoute();

    const wrong = await request(app).put('/admin/thing').set('X-Api-Key', 'not-the-key').send({});
    const prefix = await request(app).put('/admin/thing').set('X-Api-Key', ADMIN_KEY.slice(0, -1)).send({});

    expect(wrong.status).toBe(403);
    expect(wrong.body).toEqual({ success: false, error: { code: 'AUTH.FORBIDDEN', message: 'Invalid API key' } });
    expect(prefix.status).toBe(403);
  });

  it('when X-Api-Key matches, lets the request through', async () => {
    const { app } = appWithAdminRoute();

    const res = await request(app).put('/admin/thing').set('X-Api-Key', ADMIN_KEY).send({});

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { updated: true } });
  });
});

import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApiRegistry, buildOpenApiDocument, openApiRoutes } from '../src/docs/openApi.js';
import { sendSuccess } from '../src/http/index.js';
import { buildTestApp } from './support/buildTestApp.js';

/** A service whose document declares POST /things, GET /things/{id} and GET /things/{id}/parts, and routes exactly those. */
function thingService() {
  const registry = createApiRegistry();
  const ok = { 200: { description: 'ok' } };
  registry.registerPath({ method: 'post', path: '/things', responses: ok });
  registry.registerPath({ method: 'get', path: '/things/{id}', request: { params: z.object({ id: z.string() }) }, responses: ok });
  registry.registerPath({ method: 'get', path: '/things/{id}/parts', request: { params: z.object({ id: z.string() }) }, responses: ok });
  const document = buildOpenApiDocument(registry, { title: 'things', description: 'test', port: 1 });
  return buildTestApp({
    knownRoutes: openApiRoutes(document),
    routes: (app) => {
      app.post('/things', (_req, res) => sendSuccess(res, 201, { id: 't-1' }));
      app.get('/things/:id', (req, res) => sendSuccess(res, 200, { id: req.params.id }));
      app.get('/things/:id/parts', (_req, res) => sendSuccess(res, 200, []));
    },
  }).app;
}

describe('an undeclared method on a known path', () => {
  it.each([
    ['TRACE', '/things', 'OPTIONS, POST'],
    ['DELETE', '/things/t-1', 'GET, HEAD, OPTIONS'],
    ['PATCH', '/THINGS/t-1/parts/', 'GET, HEAD, OPTIONS'],
    ['HEAD', '/things', 'OPTIONS, POST'],
    ['DELETE', '/health/live', 'GET, HEAD, OPTIONS'],
    ['POST', '/metrics', 'GET, HEAD, OPTIONS'],
    ['PUT', '/docs/openapi.json', 'GET, HEAD, OPTIONS'],
  ])('%s %s answers 405 with Allow: %s, the error body and a correlation id', async (method, path, allow) => {
    const res = await request(thingService())[method.toLowerCase() as 'get'](path);

    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.headers['x-correlation-id']).toBeTruthy();
    if (method !== 'HEAD') {
      expect(res.body).toEqual({
        success: false,
        error: {
          code: 'HTTP.METHOD_NOT_ALLOWED',
          message: expect.stringContaining(`${method} is not allowed`),
          details: { allowed: allow.split(', ') },
        },
      });
    }
  });

  it('is refused before its body is looked at (405, not 415 or 400)', async () => {
    const res = await request(thingService()).patch('/things').set('Content-Type', 'text/plain').send('{not json');

    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe('HTTP.METHOD_NOT_ALLOWED');
  });

  it('leaves declared methods, HEAD on a GET path and unknown paths alone, and answers OPTIONS with Allow', async () => {
    const app = thingService();

    expect((await request(app).post('/things').send({})).status).toBe(201);
    expect((await request(app).get('/things/t-1')).status).toBe(200);
    expect((await request(app).head('/things/t-1')).status).toBe(200);
    const options = await request(app).options('/things/t-1');
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe('GET, HEAD, OPTIONS');
    const unknown = await request(app).delete('/nothing/here');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('ROUTE.NOT_FOUND');
  });
});

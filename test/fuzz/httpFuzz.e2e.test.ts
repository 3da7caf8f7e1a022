import fc from 'fast-check';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_KEY, admin as adminHeaders, http } from '../support/http.js';
import { testKafka, uniqueName } from '../support/infra.js';
import { isolatedTopicsEnv, startService, type RunningService } from '../support/services.js';
import {
  ADMIN_ENDPOINTS,
  BODY_ENDPOINTS,
  ENDPOINTS,
  fillPath,
  fixtureParams,
  OPERATIONAL_PATHS,
  PARAM_ENDPOINTS,
  type Endpoint,
  type Fixtures,
  type ServiceKey,
} from './support/endpoints.js';
import { validId } from './support/fieldKinds.js';
import { checkProperty, FUZZ_RUNS, timeoutFor } from './support/fuzzConfig.js';
import {
  anyJson,
  deeplyNested,
  longString,
  nosqlOperator,
  nosqlQueryKey,
  PROTOTYPE_KEYS,
  RawObject,
  toJsonText,
  unicodeString,
  type JsonNode,
} from './support/hostileJson.js';
import { hugeBody, mutatedBody, mutationText } from './support/mutations.js';
import { rawRequest, type RawRequest, type RawResponse } from './support/rawHttp.js';
import { assertAlive, assertRejected, assertSafeResponse, eventuallyReady } from './support/responseChecks.js';
import { differences, StateProbe, type Fingerprint } from './support/stateFingerprint.js';

const RUNS = FUZZ_RUNS;
const TIMEOUT = timeoutFor(RUNS, 400);
const JSON_TYPE = { 'content-type': 'application/json' };

/** Percent-encodes the UTF-8 bytes of any string (encodeURIComponent throws on lone surrogates). */
const percentEncode = (value: string): string =>
  [...Buffer.from(value, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

/** Media types that are not JSON (SPEC §6: 415), including JSON with a charset other than UTF-8. */
const NOT_JSON = [
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'text/html',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/jsonp',
  'application/vnd.api+json',
  'application/json-patch+json',
  'application/octet-stream',
  'json',
  '*/*',
  'application/*',
  '',
  'application/json, text/plain',
  ';;;',
];

/**
 * Hostile input against the three services as real processes on the real stack: every response is
 * safe (no 5xx, SPEC §3 error body, X-Correlation-Id), no process exits, and whatever is rejected
 * stores and publishes nothing — checked on the databases' documents and the topics' end offsets.
 */
describe('hostile HTTP input (property-based fuzzing)', () => {
  const prefix = uniqueName('fuzzhttp');
  const topics = isolatedTopicsEnv(prefix);
  const orderTopic = topics.ORDER_EVENTS_TOPIC!;
  const inventoryTopic = topics.INVENTORY_EVENTS_TOPIC!;
  const dbs: Record<ServiceKey, string> = {
    orders: uniqueName('fuzz-orderdb'),
    inventory: uniqueName('fuzz-inventorydb'),
    notifications: uniqueName('fuzz-notificationdb'),
  };
  const env = { ...topics, RATE_LIMIT_MAX: '100000000', LOG_LEVEL: 'error' };
  const services = {} as Record<ServiceKey, RunningService>;
  const kafka = testKafka();
  let kafkaAdmin: Admin;
  let probe: StateProbe;
  let fixtures: Fixtures;
  let baseline: Fingerprint;

  beforeAll(async () => {
    [services.orders, services.inventory, services.notifications] = await Promise.all([
      startService('orderservice', { dbName: dbs.orders, env }),
      startService('inventoryservice', { dbName: dbs.inventory, env: { ...env, SEED_CATALOG: 'true' } }),
      startService('notificationservice', { dbName: dbs.notifications, env }),
    ]);
    // Real documents for hostile writes to aim at: preferences, and a confirmed order with its reservation and notifications.
    const customerId = 'fuzz-customer';
    expect(
      (
        await http('PUT', `${services.notifications.url}/api/notifications/preferences/${customerId}`, {
          email: 'fuzz@example.com',
          channels: ['email'],
        })
      ).status,
    ).toBe(201);
    const placed = await http('POST', `${services.orders.url}/api/orders`, {
      customerId,
      items: [{ productId: '1', quantity: 1, price: 1.5 }],
    });
    expect(placed.status).toBe(201);
    const orderId: string = placed.body.data.id;
    const settled = await http('GET', `${services.orders.url}/api/orders/${orderId}?waitFor=CONFIRMED,CANCELLED&timeoutMs=30000`);
    expect(settled.body.data.status).toBe('CONFIRMED');
    fixtures = { orderId, customerId, productId: '1' };

    kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    probe = new StateProbe(Object.values(dbs), kafkaAdmin, [orderTopic, inventoryTopic, `${orderTopic}.DLT`, `${inventoryTopic}.DLT`]);
    // The order's saga (reservation, notifications, outbox publishing) has finished: from here on nothing may change.
    baseline = await probe.settled();
  });

  afterAll(async () => {
    await probe?.close();
    await kafkaAdmin?.disconnect();
    await Promise.all(Object.values(services).map((s) => s.stop()));
  });

  // A property that let a write through would fail every later one too: start each from what is stored now.
  beforeEach(async () => {
    if (differences(baseline, await probe.fingerprint()).length > 0) baseline = await probe.settled();
  });

  const all = (): RunningService[] => Object.values(services);

  async function send(service: ServiceKey, req: RawRequest): Promise<RawResponse> {
    let res: RawResponse;
    try {
      res = await rawRequest(services[service].url, req);
    } catch (error) {
      assertAlive(...all());
      throw new Error(`${req.method} ${req.path.slice(0, 200)} to ${service}: no HTTP response (${String(error)})`, { cause: error });
    }
    assertAlive(...all());
    return res;
  }

  async function expectNothingStored(): Promise<void> {
    expect(differences(baseline, await probe.fingerprint())).toEqual([]);
  }

  const pathTo = (endpoint: Endpoint, params: Record<string, string> = fixtureParams(endpoint, fixtures)): string =>
    fillPath(endpoint, params);
  const adminKeyFor = (endpoint: Endpoint): Record<string, string> => (endpoint.admin ? adminHeaders : {});
  const validBodyText = (endpoint: Endpoint): fc.Arbitrary<string> => endpoint.body!.valid.map((b) => toJsonText(b));

  /** Any value node lets a client put in a header: printable ASCII, tabs, Latin-1, up to 300 characters. */
  const headerValue = (): fc.Arbitrary<string> =>
    fc.string({
      unit: fc
        .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.constant(0x09), fc.integer({ min: 0x80, max: 0xff }))
        .map((c) => String.fromCharCode(c)),
      maxLength: 300,
    });

  /** A random id of the param's kind (never one of the fixtures). */
  const randomIds = (endpoint: Endpoint): fc.Arbitrary<Record<string, string>> =>
    fc.record(
      Object.fromEntries(
        Object.entries(endpoint.params).map(([name, kind]) => [
          name,
          kind === 'uuid' ? fc.uuid() : validId().map((id) => `r${id}`.slice(0, 64)),
        ]),
      ),
    );

  it(
    'answers arbitrary bodies, methods, media types and keys on every endpoint without a 5xx, and accepts no write',
    async () => {
      const request = fc.constantFrom(...ENDPOINTS).chain((endpoint) =>
        fc.record({
          endpoint: fc.constant(endpoint),
          ids: randomIds(endpoint),
          method: fc.oneof(
            fc.constant(endpoint.method),
            fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'FUZZ'),
          ),
          body: fc.oneof(
            fc.constant(undefined),
            anyJson().map(toJsonText),
            fc.json(),
            fc.string({ unit: 'binary', maxLength: 200 }),
            unicodeString(),
            fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)),
          ),
          contentType: fc.oneof(fc.constant('application/json'), fc.constant(undefined), fc.constantFrom(...NOT_JSON)),
          apiKey: fc.oneof(
            fc.constant(undefined),
            fc.constant(ADMIN_KEY),
            fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((s) => s.replace(/[^\x21-\x7e]/g, 'k')),
          ),
          correlationId: fc.option(headerValue(), { nil: undefined }),
          traceparent: fc.option(fc.oneof(headerValue(), fc.constant('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')), {
            nil: undefined,
          }),
        }),
      );
      await checkProperty(
        fc.asyncProperty(request, async ({ endpoint, ids, method, body, contentType, apiKey, correlationId, traceparent }) => {
          const req: RawRequest = {
            method,
            path: pathTo(endpoint, ids),
            headers: {
              ...(contentType === undefined ? {} : { 'content-type': contentType }),
              ...(apiKey === undefined ? {} : { 'x-api-key': apiKey }),
              ...(correlationId === undefined ? {} : { 'x-correlation-id': correlationId }),
              ...(traceparent === undefined ? {} : { traceparent }),
            },
            body,
          };
          const res = await send(endpoint.service, req);
          assertSafeResponse(req, res);
          // An offered correlation id is echoed only when it is a sane token: no header or log injection.
          expect(res.headers['x-correlation-id']).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
          if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method) && res.status < 300)
            throw new Error(`hostile write accepted: ${req.method} ${req.path} → ${res.status} ${res.text.slice(0, 300)}`);
        }),
        RUNS,
      );
      await expectNothingStored();
    },
    TIMEOUT,
  );

  it(
    'refuses every mutation of a valid body (dropped, retyped, out of range, unknown, operator, prototype and deep fields) and stores nothing',
    async () => {
      const request = fc.constantFrom(...BODY_ENDPOINTS).chain((endpoint) => fc.tuple(fc.constant(endpoint), mutatedBody(endpoint.body!)));
      await checkProperty(
        fc.asyncProperty(request, async ([endpoint, mutation]) => {
          const req: RawRequest = {
            method: endpoint.method,
            path: pathTo(endpoint),
            headers: { ...JSON_TYPE, ...adminKeyFor(endpoint) },
            body: mutationText(mutation),
          };
          const res = await send(endpoint.service, req);
          try {
            assertRejected(req, res, [400, 413]);
          } catch (error) {
            throw new Error(`${endpoint.name}, ${mutation.what}: ${(error as Error).message}`, { cause: error });
          }
        }),
        RUNS,
      );
      await expectNothingStored();
    },
    TIMEOUT,
  );

  it(
    'refuses a valid order with a malformed Idempotency-Key (400) and stores nothing',
    async () => {
      const order = ENDPOINTS.find((e) => e.name === 'orders.create')!;
      const key = fc.oneof(
        fc.constant(''),
        longString(129, 2_000, ['k', '-']),
        fc
          .tuple(
            fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 20 }),
            fc.constantFrom(' ', '\t', 'é', '\u00ff', '\u0080'),
          )
          .map(([k, bad]) => `${k}${bad}${k}`),
      );
      await checkProperty(
        fc.asyncProperty(validBodyText(order), key, async (body, idempotencyKey) => {
          const req: RawRequest = {
            method: 'POST',
            path: '/api/orders',
            headers: { ...JSON_TYPE, 'idempotency-key': idempotencyKey },
            body,
          };
          assertRejected(req, await send('orders', req), [400]);
        }),
        Math.ceil(RUNS / 2),
      );
      await expectNothingStored();
    },
    TIMEOUT,
  );

  it(
    'refuses bodies over 64 KB with 413, with or without Content-Length',
    async () => {
      const request = fc
        .constantFrom(...BODY_ENDPOINTS)
        .chain((endpoint) => fc.tuple(fc.constant(endpoint), hugeBody(endpoint.body!), fc.boolean()));
      await checkProperty(
        fc.asyncProperty(request, async ([endpoint, mutation, chunked]) => {
          const req: RawRequest = {
            method: endpoint.method,
            path: pathTo(endpoint),
            headers: { ...JSON_TYPE, ...adminKeyFor(endpoint) },
            body: mutationText(mutation),
            chunked,
          };
          assertRejected(req, await send(endpoint.service, req), [413]);
        }),
        Math.ceil(RUNS / 2),
      );
      await expectNothingStored();
    },
    TIMEOUT,
  );

  it(
    'refuses a valid body sent as another media type (415) or with a bogus content encoding',
    async () => {
      const request = fc.constantFrom(...BODY_ENDPOINTS).chain((endpoint) =>
        fc.tuple(
          fc.constant(endpoint),
          validBodyText(endpoint),
          fc.oneof(
            fc.record({ contentType: fc.oneof(fc.constant(undefined), fc.constantFrom(...NOT_JSON)), encoding: fc.constant(undefined) }),
            fc.record({
              contentType: fc.constant('application/json'),
              encoding: fc.constantFrom('gzip', 'deflate', 'br', 'compress', 'x-fuzz', 'gzip, gzip'),
            }),
          ),
        ),
      );
      await checkProperty(
        fc.asyncProperty(request, async ([endpoint, body, { contentType, encoding }]) => {
          const headers: Record<string, string> = {
            ...adminKeyFor(endpoint),
            ...(contentType === undefined ? {} : { 'content-type': contentType }),
            ...(encoding ? { 'content-encoding': encoding } : {}),
          };
          // Without a content type header node sends none at all: a raw byte body.
          const req: RawRequest = { method: endpoint.method, path: pathTo(endpoint), headers, body: Buffer.from(body) };
          // JSON in another UTF charset is decoded as such and then fails to parse (400); anything else is 415.
          const jsonInOtherUtf = contentType?.startsWith('application/json; charset=utf-') === true;
          assertRejected(req, await send(endpoint.service, req), encoding || jsonInOtherUtf ? [400, 415] : [415]);
        }),
        RUNS,
      );
      await expectNothingStored();
    },
    TIMEOUT,
  );

  it(
    'refuses NoSQL operators in query strings and path params',
    async () => {
      const vector = fc.constantFrom(...ENDPOINTS).chain((endpoint) => {
        const fields = [...(endpoint.query ?? []), ...Object.keys(endpoint.params), 'id', 'status'];
        // A write with a valid body must fail on the query alone: only keys the guard refuses everywhere.
        const queryAttack = fc
          .tuple(
            fc
              .constantFrom(...fields)
              .chain((f) => nosqlQueryKey(f))
              .filter((k) => k.forbidden || endpoint.body === undefined),
            fc.constantFrom('x', '', '1', 'sleep(1000)', '{"$ne":null}', '.*'),
          )
          .map(([{ key, forbidden }, value]) => ({ kind: 'query' as const, forbidden, query: `${key}=${encodeURIComponent(value)}` }));
        const paramAttack = fc
          .tuple(
            fc.constantFrom(...(Object.keys(endpoint.params).length > 0 ? Object.keys(endpoint.params) : ['none'])),
            fc.oneof(
              nosqlOperator().map((op) => percentEncode(toJsonText(op))),
              fc.constantFrom('[$ne]', '%24ne', '$ne', '$where', '%7B%22%24gt%22%3A%22%22%7D', '{%22$gt%22:%22%22}', 'a.b', '%2E%2E', '..'),
            ),
          )
          .map(([name, value]) => ({
            kind: 'param' as const,
            forbidden: false,
            params: { ...fixtureParams(endpoint, fixtures), [name]: value },
          }));
        const attack = Object.keys(endpoint.params).length > 0 ? fc.oneof(queryAttack, paramAttack) : queryAttack;
        return fc.tuple(fc.constant(endpoint), attack, endpoint.body ? validBodyText(endpoint) : fc.constant(undefined));
      });
      await checkProperty(
        fc.asyncProperty(vector, async ([endpoint, attack, body]) => {
          const path = attack.kind === 'param' ? pathTo(endpoint, attack.params) : `${pathTo(endpoint)}?${attack.query}`;
          const req: RawRequest = {
            method: endpoint.method,
            path,
            headers: body === undefined ? {} : { ...JSON_TYPE, ...adminKeyFor(endpoint) },
            body,
          };
          const res = await send(endpoint.service, req);
          if (attack.kind === 'param' || endpoint.body) assertRejected(req, res);
          else if (attack.forbidden || endpoint.query) assertRejected(req, res, [400]);
          else assertSafeResponse(req, res);
        }),
        RUNS,
      );
      await expectNothingStored();
    },
    TIMEOUT,
  );

  it(
    'refuses prototype keys (as own JSON keys, at any depth, and in query strings) with 400',
    async () => {
      const request = fc
        .constantFrom(...BODY_ENDPOINTS)
        .chain((endpoint) =>
          fc.tuple(
            fc.constant(endpoint),
            endpoint.body!.valid,
            fc.constantFrom(...PROTOTYPE_KEYS),
            fc.integer({ min: 0, max: 5 }),
            fc.constantFrom('body', 'query'),
          ),
        );
      await checkProperty(
        fc.asyncProperty(request, async ([endpoint, valid, key, depth, where]) => {
          let payload: JsonNode = new RawObject([[key, { polluted: true, isAdmin: true }]]);
          for (let i = 0; i < depth; i++) payload = { [`level${i}`]: payload };
          const body = where === 'body' ? new RawObject([...Object.entries(valid), ['x', payload], [key, { polluted: true }]]) : valid;
          const query = where === 'query' ? `?${key}=1&${key}[polluted]=true` : '';
          const req: RawRequest = {
            method: endpoint.method,
            path: `${pathTo(endpoint)}${query}`,
            headers: { ...JSON_TYPE, ...adminKeyFor(endpoint) },
            body: toJsonText(body),
          };
          const res = await send(endpoint.service, req);
          assertRejected(req, res, [400]);
          expect((res.json as { error: { code: string } }).error.code).toBe('REQUEST.FORBIDDEN_KEY');
        }),
        RUNS,
      );
      await expectNothingStored();
    },
    TIMEOUT,
  );

  it(
    'refuses bodies nested 50–5000 levels deep with 400',
    async () => {
      const request = fc.tuple(fc.constantFrom(...BODY_ENDPOINTS), deeplyNested(), fc.boolean());
      await checkProperty(
        fc.asyncProperty(request, async ([endpoint, deep, wrapped]) => {
          const body = wrapped ? `{"payload":${deep.text}}` : deep.text;
          const req: RawRequest = {
            method: endpoint.method,
            path: pathTo(endpoint),
            headers: { ...JSON_TYPE, ...adminKeyFor(endpoint) },
            body,
          };
          assertRejected(req, await send(endpoint.service, req), [400]);
        }),
        RUNS,
      );
      await expectNothingStored();
    },
    TIMEOUT,
  );

  it(
    'answers random, malformed, unicode and very long path ids without a 5xx',
    async () => {
      const segment = fc.oneof(
        fc.string({ maxLength: 80 }).map(percentEncode),
        unicodeString().map(percentEncode),
        fc.uuid(),
        validId(),
        fc.constantFrom(
          '%',
          '%ZZ',
          '%E0%A4%A',
          '%C0%AF',
          '%00',
          '%2e%2e',
          '%2F',
          '..',
          '.',
          '%25',
          '%FF%FE',
          '%uD800',
          '~',
          '%20',
          "'",
          '%22',
        ),
        longString(65, 12_000, ['a', '%41', '%F0%9F%98%80']),
        longString(20_000, 40_000, ['a']),
      );
      const request = fc
        .constantFrom(...PARAM_ENDPOINTS)
        .chain((endpoint) =>
          fc.tuple(fc.constant(endpoint), fc.record(Object.fromEntries(Object.keys(endpoint.params).map((name) => [name, segment])))),
        );
      await checkProperty(
        fc.asyncProperty(request, async ([endpoint, params]) => {
          // Writes carry an incomplete body and no admin key, so only a broken id check could accept them.
          const req: RawRequest = endpoint.body
            ? { method: endpoint.method, path: pathTo(endpoint, params), headers: JSON_TYPE, body: '{}' }
            : { method: endpoint.method, path: pathTo(endpoint, params) };
          const res = await send(endpoint.service, req);
          if (endpoint.body) assertRejected(req, res);
          else assertSafeResponse(req, res);
        }),
        RUNS,
      );
      await expectNothingStored();
    },
    TIMEOUT,
  );

  it(
    'refuses admin endpoints without the key (401) and with a wrong one, even one character off (403)',
    async () => {
      const printable = fc.string({
        unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
        minLength: 1,
        maxLength: 60,
      });
      const offByOne = fc
        .tuple(fc.integer({ min: 0, max: ADMIN_KEY.length - 1 }), fc.integer({ min: 0x21, max: 0x7e }))
        .map(([at, code]) => {
          const ch = String.fromCharCode(code) === ADMIN_KEY[at] ? '!' : String.fromCharCode(code);
          return `${ADMIN_KEY.slice(0, at)}${ch}${ADMIN_KEY.slice(at + 1)}`;
        });
      const key = fc.oneof(
        fc.record({ where: fc.constant('none' as const), value: fc.constant('') }),
        fc.record({ where: fc.constant('header' as const), value: fc.constant('') }),
        fc.record({
          where: fc.constantFrom('query' as const, 'authorization' as const, 'x-admin-key' as const),
          value: fc.constant(ADMIN_KEY),
        }),
        fc.record({
          where: fc.constant('header' as const),
          value: fc.oneof(
            printable.filter((k) => k !== ADMIN_KEY),
            offByOne,
            fc.constantFrom(
              ADMIN_KEY.slice(0, -1),
              `${ADMIN_KEY}x`,
              ADMIN_KEY.toUpperCase(),
              `${ADMIN_KEY}, ${ADMIN_KEY}`,
              `Bearer ${ADMIN_KEY}`,
              `${ADMIN_KEY}\u00e9`,
            ),
          ),
        }),
      );
      const request = fc
        .constantFrom(...ADMIN_ENDPOINTS)
        .chain((endpoint) => fc.tuple(fc.constant(endpoint), validBodyText(endpoint), key));
      await checkProperty(
        fc.asyncProperty(request, async ([endpoint, body, { where, value }]) => {
          const headers: Record<string, string> = { ...JSON_TYPE };
          let path = pathTo(endpoint);
          if (where === 'header') headers['x-api-key'] = value;
          if (where === 'authorization') headers.authorization = `Bearer ${value}`;
          if (where === 'x-admin-key') headers['x-admin-key'] = value;
          if (where === 'query') path += `?x-api-key=${encodeURIComponent(value)}&apiKey=${encodeURIComponent(value)}`;
          const req: RawRequest = { method: endpoint.method, path, headers, body };
          const res = await send(endpoint.service, req);
          const missing = where !== 'header' || value === '';
          assertRejected(req, res, [missing ? 401 : 403]);
          expect((res.json as { error: { code: string } }).error.code).toBe(missing ? 'AUTH.UNAUTHORIZED' : 'AUTH.FORBIDDEN');
        }),
        RUNS,
      );
      await expectNothingStored();
    },
    TIMEOUT,
  );

  it(
    'answers /health and /metrics whatever the method, query and body',
    async () => {
      const request = fc.record({
        service: fc.constantFrom<ServiceKey>('orders', 'inventory', 'notifications'),
        path: fc.constantFrom(...OPERATIONAL_PATHS),
        method: fc.constantFrom('GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'),
        query: fc.oneof(
          fc.constant(''),
          fc.constantFrom('?$where=1', '?__proto__=1', '?a[$ne]=1', '?format=json', '?name[]=x&name[]=y'),
          fc.string({ maxLength: 40 }).map((s) => `?q=${percentEncode(s)}`),
        ),
        body: fc.oneof(
          fc.constant(undefined),
          anyJson().map(toJsonText),
          deeplyNested().map((d) => d.text),
        ),
      });
      await checkProperty(
        fc.asyncProperty(request, async ({ service, path, method, query, body }) => {
          const req: RawRequest = { method, path: `${path}${query}`, headers: body === undefined ? {} : JSON_TYPE, body };
          const res = await send(service, req);
          assertSafeResponse(req, res);
          if (method === 'GET' && path === '/health/live') expect(res.status).toBe(200);
          if (method === 'GET' && path === '/metrics') expect(res.text).toContain('# HELP');
        }),
        RUNS,
      );
      await expectNothingStored();
    },
    TIMEOUT,
  );

  it('every service is still running and ready after the fuzzing', async () => {
    assertAlive(...all());
    for (const service of all()) await eventuallyReady(service);
    await expectNothingStored();
  });

  it('a valid request does change the stored and published state (the "nothing stored" check can fail)', async () => {
    const order = await http('POST', `${services.orders.url}/api/orders`, {
      customerId: 'fuzz-valid',
      items: [{ productId: '2', quantity: 1, price: 2 }],
    });
    expect(order.status).toBe(201);
    const stock = await http('PUT', `${services.inventory.url}/api/inventory/fuzz-valid`, { available: 5 }, adminHeaders);
    expect(stock.status).toBe(201);
    const prefs = await http('PUT', `${services.notifications.url}/api/notifications/preferences/fuzz-valid`, {
      channels: ['sms'],
      phone: '+14155550123',
    });
    expect(prefs.status).toBe(201);

    const changed = differences(baseline, await probe.settled()).join('\n');
    expect(changed).toContain(`${dbs.orders}.orders`);
    expect(changed).toContain(`${dbs.inventory}.products`);
    expect(changed).toContain(`${dbs.notifications}.`);
    expect(changed).toContain(`${orderTopic}: end offsets`);
  });
});

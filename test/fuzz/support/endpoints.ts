import fc from 'fast-check';
import { validId, type FieldSpec } from './fieldKinds.js';
import type { JsonNode } from './hostileJson.js';

export type ServiceKey = 'orders' | 'inventory' | 'notifications';

/** Ids of what the test stored before fuzzing, so hostile writes aim at real documents. */
export interface Fixtures {
  orderId: string;
  customerId: string;
  productId: string;
}

export interface BodySpec {
  /** A body the endpoint accepts (with every optional field present, so each can be mutated). */
  valid: fc.Arbitrary<Record<string, JsonNode>>;
  fields: FieldSpec[];
  /** Paths of the objects in the body (where extra or prototype keys can go). */
  objects: Array<ReadonlyArray<string | number>>;
}

export interface Endpoint {
  name: string;
  service: ServiceKey;
  method: 'GET' | 'POST' | 'PUT';
  /** With `:param` placeholders. */
  template: string;
  /** The kind of id each placeholder takes. */
  params: Record<string, 'uuid' | 'id'>;
  admin?: boolean;
  body?: BodySpec;
  /** The query keys the endpoint knows. */
  query?: string[];
}

const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'CANCELLED', 'SHIPPED', 'DELIVERED'] as const;

const orderLine = fc.record({
  productId: validId(),
  quantity: fc.integer({ min: 1, max: 1_000 }),
  price: fc.integer({ min: 1, max: 100_000_000 }).map((c) => c / 100),
});

const createOrder: BodySpec = {
  valid: fc.record({
    customerId: validId(),
    items: fc.uniqueArray(orderLine, { minLength: 1, maxLength: 3, selector: (l) => l.productId }),
    customer: fc.record({
      email: fc.constantFrom('ada@example.com', 'x.y+z@shop.example.org'),
      phone: fc.constantFrom('+1 (415) 555-0123', '0301234567'),
      name: fc.constantFrom('Ada', 'Ünïcødé Nåme 😀'),
    }),
  }),
  fields: [
    { path: ['customerId'], kind: { type: 'id' }, required: true },
    { path: ['items'], kind: { type: 'orderLines' }, required: true },
    { path: ['items', 0, 'productId'], kind: { type: 'id' }, required: true },
    { path: ['items', 0, 'quantity'], kind: { type: 'int', min: 1, max: 1_000 }, required: true },
    { path: ['items', 0, 'price'], kind: { type: 'price', max: 1_000_000 }, required: true },
    { path: ['customer'], kind: { type: 'contact' }, required: false },
    { path: ['customer', 'email'], kind: { type: 'email' }, required: false },
    { path: ['customer', 'phone'], kind: { type: 'orderPhone' }, required: false },
    { path: ['customer', 'name'], kind: { type: 'text', max: 200 }, required: false },
  ],
  objects: [[], ['items', 0], ['customer']],
};

const statusBody: BodySpec = {
  valid: fc.record({ status: fc.constantFrom(...ORDER_STATUSES) }),
  fields: [{ path: ['status'], kind: { type: 'enum', values: ORDER_STATUSES }, required: true }],
  objects: [[]],
};

const cancelBody: BodySpec = {
  valid: fc.record({ reason: fc.constantFrom('changed my mind', 'ça suffit 😀') }),
  fields: [{ path: ['reason'], kind: { type: 'text', max: 500 }, required: false }],
  objects: [[]],
};

const stockBody: BodySpec = {
  valid: fc.record({ name: fc.constantFrom('Widget', 'Gadget ✨'), available: fc.integer({ min: 0, max: 1_000_000_000 }) }),
  fields: [
    { path: ['name'], kind: { type: 'text', max: 200 }, required: false },
    { path: ['available'], kind: { type: 'int', min: 0, max: 1_000_000_000 }, required: true },
  ],
  objects: [[]],
};

const preferencesBody: BodySpec = {
  valid: fc.record({
    email: fc.constant('ada@example.com'),
    phone: fc.constant('+14155550123'),
    channels: fc.constantFrom<JsonNode>(['email'], ['sms'], ['email', 'sms']),
  }),
  fields: [
    { path: ['email'], kind: { type: 'email' }, required: false },
    { path: ['phone'], kind: { type: 'e164' }, required: false },
    { path: ['channels'], kind: { type: 'channels' }, required: true },
  ],
  objects: [[]],
};

/** Every endpoint of the three services (SPEC §3). */
export const ENDPOINTS: Endpoint[] = [
  { name: 'orders.create', service: 'orders', method: 'POST', template: '/api/orders', params: {}, body: createOrder },
  {
    name: 'orders.get',
    service: 'orders',
    method: 'GET',
    template: '/api/orders/:id',
    params: { id: 'uuid' },
    query: ['waitFor', 'timeoutMs'],
  },
  {
    name: 'orders.list',
    service: 'orders',
    method: 'GET',
    template: '/api/orders/customer/:customerId',
    params: { customerId: 'id' },
    query: ['limit', 'cursor'],
  },
  {
    name: 'orders.status',
    service: 'orders',
    method: 'PUT',
    template: '/api/orders/:id/status',
    params: { id: 'uuid' },
    admin: true,
    body: statusBody,
  },
  {
    name: 'orders.cancel',
    service: 'orders',
    method: 'POST',
    template: '/api/orders/:id/cancel',
    params: { id: 'uuid' },
    body: cancelBody,
  },
  { name: 'orders.timeline', service: 'orders', method: 'GET', template: '/api/orders/:id/timeline', params: { id: 'uuid' } },
  { name: 'inventory.list', service: 'inventory', method: 'GET', template: '/api/inventory', params: {} },
  { name: 'inventory.get', service: 'inventory', method: 'GET', template: '/api/inventory/:productId', params: { productId: 'id' } },
  {
    name: 'inventory.put',
    service: 'inventory',
    method: 'PUT',
    template: '/api/inventory/:productId',
    params: { productId: 'id' },
    admin: true,
    body: stockBody,
  },
  {
    name: 'inventory.reservation',
    service: 'inventory',
    method: 'GET',
    template: '/api/inventory/reservations/:orderId',
    params: { orderId: 'id' },
  },
  {
    name: 'notifications.list',
    service: 'notifications',
    method: 'GET',
    template: '/api/notifications',
    params: {},
    query: ['orderId', 'customerId', 'limit'],
  },
  {
    name: 'notifications.preferences.get',
    service: 'notifications',
    method: 'GET',
    template: '/api/notifications/preferences/:customerId',
    params: { customerId: 'id' },
  },
  {
    name: 'notifications.preferences.put',
    service: 'notifications',
    method: 'PUT',
    template: '/api/notifications/preferences/:customerId',
    params: { customerId: 'id' },
    body: preferencesBody,
  },
];

// fast-check prints an endpoint by its name in counterexamples.
for (const endpoint of ENDPOINTS) Object.defineProperty(endpoint, fc.toStringMethod, { value: () => endpoint.name });

/** /health/live, /health/ready and /metrics of every service, plus the API docs where served. */
export const OPERATIONAL_PATHS = ['/health/live', '/health/ready', '/metrics', '/docs/openapi.json'];

export const BODY_ENDPOINTS = ENDPOINTS.filter((e) => e.body !== undefined);
export const ADMIN_ENDPOINTS = ENDPOINTS.filter((e) => e.admin);
export const PARAM_ENDPOINTS = ENDPOINTS.filter((e) => Object.keys(e.params).length > 0);
export const QUERY_ENDPOINTS = ENDPOINTS.filter((e) => e.method === 'GET');

/** The real document each endpoint's path points at (writes then aim at something that exists). */
export function fixtureParams(endpoint: Endpoint, fixtures: Fixtures): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, kind] of Object.entries(endpoint.params)) {
    if (kind === 'uuid') out[name] = fixtures.orderId;
    else if (name === 'productId') out[name] = fixtures.productId;
    else if (name === 'orderId') out[name] = fixtures.orderId;
    else out[name] = fixtures.customerId;
  }
  return out;
}

/** The template with its placeholders replaced by the given (already encoded) segments. */
export function fillPath(endpoint: Endpoint, segments: Record<string, string>): string {
  return endpoint.template.replace(/:(\w+)/g, (_, name: string) => segments[name] ?? '');
}

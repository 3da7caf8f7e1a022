import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../tools/lib/otlpReceiver.js';
import { until } from '../../tools/lib/eventually.js';
import { http } from '../support/http.js';
import { uniqueName } from '../support/infra.js';
import { isolatedTopicsEnv, startService, type RunningService } from '../support/services.js';

/**
 * SPEC §7: with the standard OTEL_* variables set, the three services (real processes) export spans
 * over OTLP/HTTP to a collector this test runs, and one order's spans form one trace, continued
 * through the traceparent of every Kafka message.
 */
describe('tracing: one order is one trace across the three services', () => {
  let collector: OtlpReceiver;
  let services: RunningService[] = [];
  let orders: RunningService;

  beforeAll(async () => {
    collector = await startOtlpReceiver();
    const env = {
      ...isolatedTopicsEnv(uniqueName('trace')),
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    services = await Promise.all([
      startService('orderservice', { dbName: uniqueName('orderdb'), env }),
      startService('inventoryservice', { dbName: uniqueName('inventorydb'), env: { ...env, SEED_CATALOG: 'true' } }),
      startService('notificationservice', { dbName: uniqueName('notificationdb'), env }),
    ]);
    orders = services[0]!;
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await collector?.close();
  });

  const received = () => collector.spans.map((s) => `${s.service} ${s.kind} ${s.name} ${s.traceId}`).join('\n');

  it('the POST, every publish and every consume of an order share the caller’s trace id, each hop a child of the one before', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');

    const res = await http(
      'POST',
      `${orders.url}/api/orders`,
      {
        customerId: 'trace-1',
        customer: { email: 'trace@example.com', phone: '+14155550100' },
        items: [{ productId: '1', quantity: 1, price: 9.99 }],
      },
      { traceparent: `00-${traceId}-${callerSpanId}-01` },
    );
    expect(res.status).toBe(201);
    const orderId: string = res.body.data.id;
    const settled = await http('GET', `${orders.url}/api/orders/${orderId}?waitFor=CONFIRMED,CANCELLED&timeoutMs=20000`);
    expect(settled.body.data.status).toBe('CONFIRMED');

    const spans = () => collector.spans;
    const consumed = (service: string, eventType: string) =>
      spans().filter(
        (s) =>
          s.service === service &&
          s.kind === 'CONSUMER' &&
          s.attributes['messaging.kafka.message.key'] === orderId &&
          s.attributes['orderplatform.event_type'] === eventType,
      );
    const published = (service: string, eventType: string) =>
      spans().filter(
        (s) =>
          s.service === service &&
          s.kind === 'PRODUCER' &&
          s.attributes['messaging.kafka.message.key'] === orderId &&
          s.attributes['orderplatform.event_type'] === eventType,
      );
    // Each service exports on its own schedule (batched), so wait for every hop's spans, not only the last one's.
    const hops: Array<[string, () => unknown[]]> = [
      ['orderservice publishing OrderPlaced', () => published('orderservice', 'OrderPlaced')],
      ['inventoryservice consuming OrderPlaced', () => consumed('inventoryservice', 'OrderPlaced')],
      ['notificationservice consuming OrderPlaced', () => consumed('notificationservice', 'OrderPlaced')],
      ['inventoryservice publishing InventoryReserved', () => published('inventoryservice', 'InventoryReserved')],
      ['orderservice consuming InventoryReserved', () => consumed('orderservice', 'InventoryReserved')],
      ['orderservice publishing OrderConfirmed', () => published('orderservice', 'OrderConfirmed')],
      ['notificationservice consuming OrderConfirmed', () => consumed('notificationservice', 'OrderConfirmed')],
    ];
    for (const [what, spansOf] of hops)
      await until(
        () => spansOf().length > 0,
        () => `${what}; spans received:\n${received()}`,
        30_000,
      );

    // Every span that names this order, in whichever service, is in the caller's trace.
    const ofOrder = spans().filter((s) => s.attributes['messaging.kafka.message.key'] === orderId);
    expect(new Set(ofOrder.map((s) => s.traceId))).toEqual(new Set([traceId]));
    const inTrace = spans().filter((s) => s.traceId === traceId);
    expect(new Set(inTrace.map((s) => s.service))).toEqual(new Set(['orderservice', 'inventoryservice', 'notificationservice']));

    // The HTTP server span continues the caller's traceparent.
    const server = inTrace.find((s) => s.service === 'orderservice' && s.kind === 'SERVER');
    expect(server).toMatchObject({
      name: 'POST /api/orders',
      parentSpanId: callerSpanId,
      attributes: { 'http.route': '/api/orders', 'http.response.status_code': 201 },
    });
    const byId = new Map(inTrace.map((s) => [s.spanId, s]));
    const ancestors = (span: ReceivedSpan): string[] => {
      const ids: string[] = [];
      for (let p = span.parentSpanId; p !== undefined; p = byId.get(p)?.parentSpanId) ids.push(p);
      return ids;
    };

    // Each hop: a PRODUCER span under the work that wrote the event, and a CONSUMER span that is its child.
    const [placed] = published('orderservice', 'OrderPlaced');
    expect(placed, 'orderservice publishes OrderPlaced').toBeDefined();
    expect(ancestors(placed!)).toContain(server!.spanId);
    const reserving = consumed('inventoryservice', 'OrderPlaced');
    expect(reserving.map((s) => s.parentSpanId)).toContain(placed!.spanId);
    expect(consumed('notificationservice', 'OrderPlaced').map((s) => s.parentSpanId)).toContain(placed!.spanId);

    const reservingIds = reserving.map((s) => s.spanId);
    const [reserved] = published('inventoryservice', 'InventoryReserved');
    expect(reserved, 'inventoryservice publishes InventoryReserved').toBeDefined();
    expect(reservingIds).toContain(reserved!.parentSpanId);
    // The reservation's database writes belong to the consume span.
    const inventoryDb = inTrace.filter((s) => s.service === 'inventoryservice' && s.attributes['db.system.name'] === 'mongodb');
    expect(inventoryDb.some((s) => reservingIds.includes(s.parentSpanId!))).toBe(true);

    const confirming = consumed('orderservice', 'InventoryReserved');
    expect(confirming.map((s) => s.parentSpanId)).toContain(reserved!.spanId);
    // The relay's own reads and writes (its only bulkWrite removes published entries from the outbox
    // documents: orders, reservations) are background work, not part of the request or event handling
    // that woke it. The inventory's holds are one bulkWrite on products, inside the consume span.
    expect(inTrace.filter((s) => s.name === 'bulkWrite orders' || s.name === 'bulkWrite reservations')).toEqual([]);
    const holds = inTrace.filter((s) => s.name === 'bulkWrite products');
    expect(holds.length).toBeGreaterThan(0);
    expect(holds.every((s) => reservingIds.includes(s.parentSpanId!))).toBe(true);
    const [confirmed] = published('orderservice', 'OrderConfirmed');
    expect(confirmed, 'orderservice publishes OrderConfirmed').toBeDefined();
    expect(confirming.map((s) => s.spanId)).toContain(confirmed!.parentSpanId);
    expect(consumed('notificationservice', 'OrderConfirmed').map((s) => s.parentSpanId)).toContain(confirmed!.spanId);
  });
});

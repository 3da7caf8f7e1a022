import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrderRequest } from './support/builders.js';
import { startTestService, type TestServiceOf } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import { TOKENS } from '../src/tokens.js';

/** The relay is held back here, so what the write stored can be read before anything is published. */
describe('an order and its events are one stored document (transactional outbox)', () => {
  let service: TestServiceOf<typeof createService>;
  beforeAll(async () => {
    service = await startTestService(createService, 'orders-outbox', { holdOutbox: TOKENS.Outbox });
  });
  afterAll(async () => {
    await service?.close();
  });

  const storedOutbox = async (orderId: string) => {
    const doc = await service.infra.models.orders.findById(orderId).lean();
    return { doc, outbox: (doc?.outbox ?? []).map((entry) => ({ ...entry, event: JSON.parse(entry.value) as Record<string, unknown> })) };
  };

  it('stores the PENDING order with its OrderPlaced v2, keyed by the order id and carrying the request’s correlation id', async () => {
    const body = buildOrderRequest();

    const res = await request(service.app).post('/api/orders').set('X-Correlation-Id', 'corr-outbox-1').send(body).expect(201);

    const orderId = res.body.data.id as string;
    const { doc, outbox } = await storedOutbox(orderId);
    expect(doc).toMatchObject({ status: 'PENDING', totalCents: 4498, customerId: body.customerId });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({
      eventType: 'OrderPlaced',
      key: orderId,
      topic: service.config.ORDER_EVENTS_TOPIC,
      headers: { eventType: 'OrderPlaced', version: '2', correlationId: 'corr-outbox-1' },
      event: {
        eventType: 'OrderPlaced',
        version: 2,
        source: 'orderservice',
        correlationId: 'corr-outbox-1',
        data: {
          orderId,
          customerId: body.customerId,
          items: body.items,
          totalAmount: 44.98,
          currency: 'USD',
          customer: body.customer,
        },
      },
    });
    expect(doc?.timeline[0]?.eventId).toBe(outbox[0]!.eventId);
  });

  it('stores the order in the schema’s own shape: nothing the schema would cast or drop, no absent field as null', async () => {
    const res = await request(service.app).post('/api/orders').send(buildOrderRequest()).expect(201);

    const model = service.infra.models.orders;
    const raw = await model.collection.findOne({ _id: res.body.data.id as never });
    expect(raw).not.toBeNull();
    // Hydrating through the schema casts and strips: a stored document already in shape comes out unchanged.
    expect(new model(raw).toObject({ depopulate: true, versionKey: false })).toEqual(raw);
    expect(Object.keys(raw!).sort()).toEqual(
      [
        '_id',
        'correlationId',
        'createdAt',
        'currency',
        'customer',
        'customerId',
        'items',
        'outbox',
        'outboxLeaseOwner',
        'outboxLeaseUntil',
        'status',
        'timeline',
        'totalCents',
        'updatedAt',
      ].sort(),
    );
    expect(raw!.createdAt).toBeInstanceOf(Date);
    expect(raw!.outbox[0].createdAt).toBeInstanceOf(Date);
    expect(raw!.outboxLeaseUntil).toBeInstanceOf(Date);
    expect(raw).not.toHaveProperty('idempotencyKey');
  });

  it('a cancellation adds its OrderCancelled to the same document in the same write as the status', async () => {
    const created = await request(service.app).post('/api/orders').send(buildOrderRequest()).expect(201);
    const orderId = created.body.data.id as string;

    await request(service.app).post(`/api/orders/${orderId}/cancel`).send({ reason: 'duplicate' }).expect(200);

    const { doc, outbox } = await storedOutbox(orderId);
    expect(doc?.status).toBe('CANCELLED');
    expect(outbox.map((e) => e.eventType)).toEqual(['OrderPlaced', 'OrderCancelled']);
    expect(outbox[1]!.event).toMatchObject({
      data: {
        orderId,
        reason: 'CUSTOMER_REQUEST',
        details: 'duplicate',
        previousStatus: 'PENDING',
        customer: buildOrderRequest().customer,
      },
    });
  });
});

import { randomUUID } from 'node:crypto';
import {
  childTraceparent,
  createEvent,
  dltTopicOf,
  eventHeaders,
  serializeEvent,
  type DomainEvent,
  type EventType,
} from '@orderplatform/shared/contracts';
import { createIdempotentProducer, readDeadLetters } from '@orderplatform/shared/kafka';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../tools/lib/eventually.js';
import { http } from '../../test/support/http.js';
import { testKafka, uniqueName } from '../../test/support/infra.js';
import { isolatedTopicsEnv, startService, type RunningService } from '../../test/support/services.js';

interface Published {
  key: string;
  headers: Record<string, string>;
  event: DomainEvent;
}

describe('inventoryservice as a process, over its own Kafka topics', () => {
  const topics = isolatedTopicsEnv(uniqueName('inv-proc'));
  const orderTopic = topics.ORDER_EVENTS_TOPIC!;
  const kafka = testKafka();
  const producer = createIdempotentProducer(kafka);
  const published: Published[] = [];
  let service: RunningService;
  let listener: Consumer;

  beforeAll(async () => {
    service = await startService('inventoryservice', { dbName: uniqueName('inv-proc'), env: topics });
    await producer.connect();
    // One listener on the inventory topic for the whole file (the service created the topic before it was ready).
    listener = kafka.consumer({ groupId: uniqueName('inv-proc-listener'), maxWaitTimeInMs: 200 });
    await listener.connect();
    await listener.subscribe({ topic: topics.INVENTORY_EVENTS_TOPIC!, fromBeginning: true });
    await listener.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        published.push({ key: message.key!.toString(), headers, event: JSON.parse(message.value!.toString()) as DomainEvent });
      },
    });
    // The demo catalog is seeded on first start.
    await eventually(
      async () => (await http('GET', `${service.url}/api/inventory`)).body.data?.length,
      (products) => products === 10,
      'seeded catalog',
    );
  });
  afterAll(async () => {
    await listener?.disconnect();
    await producer.disconnect();
    await service?.stop();
  });

  /** Produces an event exactly as an outbox relay would: key = orderId, the standard headers. */
  const produce = (event: DomainEvent) =>
    producer.send({
      topic: orderTopic,
      acks: -1,
      messages: [
        {
          key: (event.data as { orderId: string }).orderId,
          value: serializeEvent(event),
          headers: eventHeaders(event, childTraceparent()),
        },
      ],
    });
  const orderPlaced = (orderId: string, items: Array<{ productId: string; quantity: number }>) =>
    createEvent(
      'OrderPlaced',
      { orderId, customerId: 'c-1', items: items.map((i) => ({ ...i, price: 10 })), totalAmount: 10, currency: 'USD' },
      { source: 'test', correlationId: `corr-${orderId}` },
    );
  const seen = async (orderId: string, eventType: EventType): Promise<Published> =>
    (await eventually(
      () => published.find((p) => p.key === orderId && p.event.eventType === eventType),
      (p) => p !== undefined,
      `${eventType} for ${orderId}`,
    ))!;
  const product = async (id: string) => (await http('GET', `${service.url}/api/inventory/${id}`)).body.data;

  it('reserves the stock of an OrderPlaced and publishes InventoryReserved with its correlation', async () => {
    const orderId = `o-${randomUUID()}`;
    const placed = orderPlaced(orderId, [
      { productId: '1', quantity: 2 },
      { productId: '2', quantity: 1 },
    ]);

    await produce(placed);

    const reserved = await seen(orderId, 'InventoryReserved');
    expect(reserved.event.data).toMatchObject({
      orderId,
      items: [
        { productId: '1', quantity: 2 },
        { productId: '2', quantity: 1 },
      ],
    });
    expect(reserved.event).toMatchObject({ source: 'inventoryservice', correlationId: placed.correlationId, causationId: placed.eventId });
    expect(reserved.headers).toMatchObject({ eventType: 'InventoryReserved', correlationId: placed.correlationId });
    expect(await product('1')).toMatchObject({ available: 98, reserved: 2 });
    expect((await http('GET', `${service.url}/api/inventory/reservations/${orderId}`)).body.data).toMatchObject({ status: 'RESERVED' });
  });

  it('on OrderCancelled gives the stock back and publishes InventoryReleased', async () => {
    const orderId = `o-${randomUUID()}`;
    await produce(orderPlaced(orderId, [{ productId: '3', quantity: 5 }]));
    await seen(orderId, 'InventoryReserved');

    await produce(
      createEvent(
        'OrderCancelled',
        { orderId, customerId: 'c-1', reason: 'CUSTOMER_REQUEST', previousStatus: 'CONFIRMED' },
        { source: 'test' },
      ),
    );

    const released = await seen(orderId, 'InventoryReleased');
    expect(released.event.data).toMatchObject({ orderId, items: [{ productId: '3', quantity: 5 }], reason: 'CUSTOMER_REQUEST' });
    expect(await product('3')).toMatchObject({ available: 100, reserved: 0 });
  });

  it('poisoned message: an invalid OrderPlaced lands in the DLT and the next valid one is processed', async () => {
    const orderId = `o-${randomUUID()}`;
    const poison = orderPlaced(orderId, [{ productId: '4', quantity: 1 }]);
    const invalid = { ...poison, data: { ...poison.data, items: [{ productId: '4', quantity: 0, price: 10 }] } };
    await producer.send({
      topic: orderTopic,
      acks: -1,
      messages: [{ key: orderId, value: JSON.stringify(invalid), headers: eventHeaders(poison, childTraceparent()) }],
    });
    const next = orderPlaced(orderId, [{ productId: '4', quantity: 1 }]);

    await produce(next);

    await seen(orderId, 'InventoryReserved');
    const dead = (await readDeadLetters(kafka, dltTopicOf(orderTopic))).filter((d) => d.key === orderId);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      eventId: poison.eventId,
      eventType: 'OrderPlaced',
      errorClass: 'InvalidEventError',
      originalTopic: orderTopic,
    });
    expect(await product('4')).toMatchObject({ available: 99, reserved: 1 });
  });
});

import { childTraceparent, createEvent, dltTopicOf, eventHeaders, serializeEvent, type DomainEvent } from '@orderplatform/shared/contracts';
import { createIdempotentProducer } from '@orderplatform/shared/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from '../../test/support/http.js';
import { testKafka, uniqueName } from '../../test/support/infra.js';
import { isolatedTopicsEnv, startService, type RunningService } from '../../test/support/services.js';
import { buildInventoryReserved, buildOrderRequest } from './support/builders.js';
import { eventually } from '../../tools/lib/eventually.js';
import { readTopic } from './support/topics.js';

/** orderservice started the way `npm start` starts it, driven over HTTP and Kafka only. */
describe('orderservice as a process, in the saga', () => {
  const topics = isolatedTopicsEnv(uniqueName('order-saga'));
  const orderTopic = topics.ORDER_EVENTS_TOPIC!;
  const inventoryTopic = topics.INVENTORY_EVENTS_TOPIC!;
  const producer = createIdempotentProducer(testKafka());
  let service: RunningService;

  beforeAll(async () => {
    // A private consumer group too: members of a shared group in other test files (killed ones linger for the
    // session timeout) would stall this one's rebalances.
    const env = { ...topics, CONSUMER_GROUP_ID: uniqueName('orderservice'), LOG_LEVEL: 'debug' };
    service = await startService('orderservice', { dbName: uniqueName('orderdb'), env });
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    await service?.kill();
  });

  async function placeOrder(correlationId: string): Promise<string> {
    const res = await http<{ data: { id: string } }>('POST', `${service.url}/api/orders`, buildOrderRequest(), {
      'X-Correlation-Id': correlationId,
    });
    expect(res.status).toBe(201);
    return res.body.data.id;
  }

  const publishInventoryEvent = (orderId: string, value: string, headers: Record<string, string>) =>
    producer.send({ topic: inventoryTopic, acks: -1, messages: [{ key: orderId, value, headers }] });
  const publish = (event: DomainEvent) =>
    publishInventoryEvent((event.data as { orderId: string }).orderId, serializeEvent(event), eventHeaders(event, childTraceparent()));

  const waitForStatus = async (orderId: string, statuses: string) => {
    const res = await http<{ data: { status: string } }>('GET', `${service.url}/api/orders/${orderId}?waitFor=${statuses}&timeoutMs=30000`);
    return res.body.data;
  };

  it('confirms the order when inventory reserves it, and publishes OrderPlaced and OrderConfirmed keyed by the order with its correlation id', async () => {
    const correlationId = uniqueName('corr');
    const orderId = await placeOrder(correlationId);

    await publish(buildInventoryReserved(orderId, {}, correlationId));

    expect((await waitForStatus(orderId, 'CONFIRMED,CANCELLED')).status).toBe('CONFIRMED');
    const published = await readTopic(orderTopic, (all) => all.filter((m) => m.key === orderId).length >= 2);
    const mine = published.filter((m) => m.key === orderId);
    expect(mine.map((m) => m.value.eventType)).toEqual(['OrderPlaced', 'OrderConfirmed']);
    for (const message of mine) {
      expect(message.headers).toMatchObject({ correlationId, eventType: message.value.eventType, eventId: message.value.eventId });
      expect(message.value.correlationId).toBe(correlationId);
    }
  });

  it('parks an invalid InventoryReserved in the DLT and goes on with the next valid one', async () => {
    const orderId = await placeOrder(uniqueName('corr'));
    const valid = buildInventoryReserved(orderId);
    const poison = createEvent('InventoryReserved', valid.data, { source: 'inventoryservice' });
    const poisonValue = JSON.stringify({ ...poison, data: { orderId } }); // no reservationId, no items

    await publishInventoryEvent(orderId, poisonValue, eventHeaders(poison, childTraceparent()));
    await publish(valid);

    expect((await waitForStatus(orderId, 'CONFIRMED,CANCELLED')).status).toBe('CONFIRMED');
    const dead = await readTopic(dltTopicOf(inventoryTopic), (all) => all.some((m) => m.key === orderId));
    const parked = dead.filter((m) => m.key === orderId);
    expect(parked).toHaveLength(1);
    expect(parked[0]!.value.eventId).toBe(poison.eventId);
    expect(parked[0]!.headers).toMatchObject({ 'dlt.error.class': 'InvalidEventError', 'dlt.original.topic': inventoryTopic });
  });

  it('on SIGTERM, answers a waiting long-poll with the current state and exits 0', async () => {
    const orderId = await placeOrder(uniqueName('corr'));
    const longPoll = http('GET', `${service.url}/api/orders/${orderId}?waitFor=CONFIRMED&timeoutMs=30000`);
    await eventually(
      () => service.logs.some((line) => line.includes('Long-poll waiting') && line.includes(orderId)),
      (waiting) => waiting,
      'the long-poll is waiting',
    );

    const exitCode = service.stop();

    const res = await longPoll;
    expect(res.status).toBe(200);
    expect(res.body.data.status).toBe('PENDING');
    expect(await exitCode).toBe(0);
  });
});

import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKafka, uniqueName } from '../../test/support/infra.js';
import { buildOrderRequest } from './support/builders.js';
import { eventually } from '../../tools/lib/eventually.js';
import { startTestService, type TestServiceOf } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import { messageCount } from './support/topics.js';

/**
 * SPEC §5: the API refuses an order whose OrderPlaced could never be published, instead of storing
 * an order that would wait in the outbox for ever. The limit is the broker's own for the topic.
 */
describe('POST /api/orders when the OrderPlaced event would exceed what the topic accepts', () => {
  const topic = `${uniqueName('event-size')}.order-events`;
  let t: TestServiceOf<typeof createService>;

  beforeAll(async () => {
    const admin = testKafka().admin();
    await admin.connect();
    // An operator has lowered the topic's limit to 4 KB (Kafka's default is 1 MB).
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 3, configEntries: [{ name: 'max.message.bytes', value: '4096' }] }],
    });
    await admin.disconnect();
    t = await startTestService(createService, 'event-size', { kafka: true, env: { ORDER_EVENTS_TOPIC: topic } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 413 EVENT.TOO_LARGE, stores nothing and publishes nothing; a normal order still goes through', async () => {
    const large = buildOrderRequest({
      customerId: 'c'.repeat(64),
      items: Array.from({ length: 100 }, (_, i) => ({
        productId: `${String(i).padStart(3, '0')}${'p'.repeat(61)}`,
        quantity: 1,
        price: 1.25,
      })),
    });

    const refused = await request(t.app).post('/api/orders').send(large);

    expect(refused.status).toBe(413);
    expect(refused.body).toMatchObject({
      success: false,
      error: { code: 'EVENT.TOO_LARGE', message: expect.stringMatching(/OrderPlaced/) },
    });
    expect(await t.infra.models.orders.countDocuments({})).toBe(0);

    const accepted = await request(t.app).post('/api/orders').send(buildOrderRequest());
    expect(accepted.status).toBe(201);
    await eventually(
      () => messageCount(topic),
      (count) => count === 1,
      'the normal order published',
    );
    expect(await t.infra.models.orders.countDocuments({})).toBe(1);
  });
});

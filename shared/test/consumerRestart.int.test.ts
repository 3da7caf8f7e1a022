import { KafkaJSNonRetriableError } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKafka, uniqueName } from '../../test/support/infra.js';
import { serializeEvent } from '../src/contracts/codec.js';
import { eventHeaders } from '../src/contracts/headers.js';
import { createIdempotentProducer } from '../src/kafka/createKafka.js';
import { DeadLetterPublisher } from '../src/kafka/DeadLetterPublisher.js';
import type { ProcessedEventStore } from '../src/kafka/ProcessedEventStore.js';
import { ReliableConsumer } from '../src/kafka/ReliableConsumer.js';
import { provisionTopics } from '../src/kafka/TopicProvisioner.js';
import { buildOrderPlaced, silentLogger } from './support/testOrders.js';
import { until } from '../../tools/lib/eventually.js';

/**
 * kafkajs stops a consumer for good after an error it calls non-retriable (in production: the group
 * coordinator not found while the broker restarts, tulios/kafkajs#1630). Here the first batch throws
 * such an error on purpose; the consumer must come back by itself and handle the event.
 */
describe('reliable consumer after kafkajs gave up on it', () => {
  const kafka = testKafka();
  const producer = createIdempotentProducer(kafka);
  let consumer: ReliableConsumer | undefined;

  beforeAll(async () => producer.connect());
  afterAll(async () => {
    await consumer?.stop();
    await producer.disconnect();
  });

  it('starts consuming again and handles the event', { timeout: 60_000 }, async () => {
    const topic = uniqueName('consumer-restart');
    await provisionTopics(kafka, [{ topic, numPartitions: 1, withDlt: true }], silentLogger());
    let lookups = 0;
    const processedEvents: ProcessedEventStore = {
      has: async () => false,
      processedAmong: async () => {
        lookups += 1;
        if (lookups === 1) throw new KafkaJSNonRetriableError('Failed to find group coordinator (simulated)');
        return new Set();
      },
      record: async () => undefined,
      recordMany: async () => undefined,
    };
    const handled: string[] = [];
    consumer = new ReliableConsumer({
      kafka,
      groupId: uniqueName('group'),
      topics: [topic],
      logger: silentLogger(),
      deadLetters: new DeadLetterPublisher(producer),
      processedEvents,
      retry: { baseDelayMs: 100, maxDelayMs: 400 },
    }).on('OrderPlaced', async (event) => void handled.push(event.eventId));
    await consumer.start();

    const event = buildOrderPlaced();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: event.data.orderId,
          value: serializeEvent(event),
          headers: eventHeaders(event, '00-' + '1'.repeat(32) + '-' + '2'.repeat(16) + '-01'),
        },
      ],
    });

    await until(() => handled.length > 0, 'the event to be handled after the restart', 45_000);
    expect(handled).toEqual([event.eventId]);
    expect(lookups).toBeGreaterThanOrEqual(2);
  });
});

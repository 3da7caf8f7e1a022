import { Writable } from 'node:stream';
import express from 'express';
import request from 'supertest';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbUrlFor, testKafka, uniqueName } from '../../test/support/infra.js';
import { createEvent } from '../src/contracts/codec.js';
import { TOPICS } from '../src/contracts/topics.js';
import { applyErrorHandling, applyStandardMiddleware, sendSuccess } from '../src/http/index.js';
import { createIdempotentProducer } from '../src/kafka/createKafka.js';
import { DeadLetterPublisher } from '../src/kafka/DeadLetterPublisher.js';
import { readTopicToEnd } from '../src/kafka/dltReplay.js';
import { ReliableConsumer } from '../src/kafka/ReliableConsumer.js';
import { provisionTopics } from '../src/kafka/TopicProvisioner.js';
import { createLogger } from '../src/logging/index.js';
import { Outbox } from '../src/outbox/Outbox.js';
import { OutboxRelay } from '../src/outbox/OutboxRelay.js';
import { connect, silentLogger, testOrderModel } from './support/testOrders.js';
import { until } from '../../tools/lib/eventually.js';

describe('correlation id from an HTTP request to the consumer that handled its event', () => {
  const kafka = testKafka();
  const producer = createIdempotentProducer(kafka);
  const topic = uniqueName('corr-orders');
  const consumerLines: Array<Record<string, unknown>> = [];
  let connection: Connection;
  let relay: OutboxRelay;
  let consumer: ReliableConsumer;

  beforeAll(async () => {
    connection = await connect(dbUrlFor(uniqueName('corr')));
    await provisionTopics(kafka, [{ topic, numPartitions: 3, withDlt: true }], silentLogger());
    await producer.connect();
    relay = new OutboxRelay(producer, silentLogger()).register(testOrderModel(connection));
    relay.start();
    const consumerLogger = createLogger({
      service: 'consumer-under-test',
      level: 'debug',
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const line of chunk.toString().split('\n').filter(Boolean)) consumerLines.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      }),
    });
    consumer = new ReliableConsumer({
      kafka,
      groupId: uniqueName('corr-group'),
      topics: [topic],
      logger: consumerLogger,
      deadLetters: new DeadLetterPublisher(producer),
    }).on('OrderPlaced', async (event) => {
      consumerLogger.info({ orderId: event.data.orderId }, 'Reserving stock');
    });
    await consumer.start();
  });
  afterAll(async () => {
    await consumer.stop();
    await relay.stop();
    await producer.disconnect();
    await connection.dropDatabase();
    await connection.close();
  });

  it('appears in the event headers and envelope, and in the consumer log lines', async () => {
    const Orders = testOrderModel(connection);
    const outbox = new Outbox(relay, { [TOPICS.orderEvents]: topic });
    const app = express();
    applyStandardMiddleware(app, {
      logger: silentLogger(),
      config: { BODY_LIMIT: '64kb', RATE_LIMIT_WINDOW_MS: 60_000, RATE_LIMIT_MAX: 100 },
    });
    app.post('/orders/:id', async (req, res) => {
      const event = createEvent(
        'OrderPlaced',
        { orderId: req.params.id, customerId: 'c', items: [{ productId: 'p', quantity: 1, price: 1 }], totalAmount: 1, currency: 'USD' },
        { source: 'test' },
      );
      await Orders.create({ _id: req.params.id, status: 'PENDING', ...outbox.forCreate([event]) });
      outbox.committed(Orders, req.params.id);
      sendSuccess(res, 201, { eventId: event.eventId });
    });
    applyErrorHandling(app, silentLogger());
    const orderId = uniqueName('order');

    const res = await request(app).post(`/orders/${orderId}`).set('X-Correlation-Id', 'checkout-7f3a').send({});

    expect(res.status).toBe(201);
    expect(res.headers['x-correlation-id']).toBe('checkout-7f3a');
    await until(() => consumerLines.some((l) => l.msg === 'Reserving stock'), 'consumer handled the event', 20_000);
    const [published] = await readTopicToEnd(kafka, topic);
    expect(published!.message.headers!.correlationId!.toString()).toBe('checkout-7f3a');
    expect(JSON.parse(published!.message.value!.toString())).toMatchObject({ correlationId: 'checkout-7f3a' });
    const handledLine = consumerLines.find((l) => l.msg === 'Reserving stock')!;
    expect(handledLine).toMatchObject({
      service: 'consumer-under-test',
      correlationId: 'checkout-7f3a',
      causationId: res.body.data.eventId,
      orderId,
    });
  });
});

import { context, propagation, trace, SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbUrlFor, testKafka, uniqueName } from '../../test/support/infra.js';
import { TOPICS } from '../src/contracts/topics.js';
import { createIdempotentProducer } from '../src/kafka/createKafka.js';
import { DeadLetterPublisher } from '../src/kafka/DeadLetterPublisher.js';
import { readTopicToEnd } from '../src/kafka/dltReplay.js';
import { ReliableConsumer } from '../src/kafka/ReliableConsumer.js';
import { provisionTopics } from '../src/kafka/TopicProvisioner.js';
import { Outbox } from '../src/outbox/Outbox.js';
import { OutboxRelay } from '../src/outbox/OutboxRelay.js';
import type { OutboxEntry } from '../src/outbox/outboxSchema.js';
import { buildOrderPlaced, connect, silentLogger, testOrderModel } from './support/testOrders.js';
import { until } from '../../tools/lib/eventually.js';

/**
 * The kit's Kafka spans with a real broker and database, the tracer in this process and its spans in
 * memory: the relay publishes several orders' events in one sendBatch, yet each event's publish span
 * and consume span stay in the trace of the request that wrote it.
 */
describe('tracing through the outbox relay and the reliable consumer', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const kafka = testKafka();
  const producer = createIdempotentProducer(kafka);
  const topic = uniqueName('trace-orders');
  const handledIn = new Map<string, { traceId: string; spanId: string }>();
  const rounds: OutboxEntry[][] = [];
  let connection: Connection;
  let relay: OutboxRelay;
  let consumer: ReliableConsumer;

  beforeAll(async () => {
    provider.register();
    connection = await connect(dbUrlFor(uniqueName('trace')));
    await provisionTopics(kafka, [{ topic, numPartitions: 3, withDlt: true }], silentLogger());
    await producer.connect();
    consumer = new ReliableConsumer({
      kafka,
      groupId: uniqueName('trace-group'),
      topics: [topic],
      logger: silentLogger(),
      deadLetters: new DeadLetterPublisher(producer),
    }).on('OrderPlaced', async (event) => {
      handledIn.set(event.data.orderId, trace.getActiveSpan()!.spanContext());
    });
    await consumer.start();
  });
  afterAll(async () => {
    await consumer.stop();
    await relay?.stop();
    await producer.disconnect();
    await connection.dropDatabase();
    await connection.close();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  const spansNamed = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name);
  const keyOf = (span: ReadableSpan) => span.attributes['messaging.kafka.message.key'];

  it('gives each order of one sendBatch its own publish span, and the consumer continues it as a child', async () => {
    const Orders = testOrderModel(connection);
    // A 1 ms lease: the recovery poll takes every written document at once, so one round carries all three.
    relay = new OutboxRelay(producer, silentLogger(), { leaseMs: 1 }).register(Orders);
    relay.onPublished((entries) => rounds.push(entries));
    const outbox = new Outbox(relay, { [TOPICS.orderEvents]: topic });
    const tracer = trace.getTracer('test');
    const requests = new Map<string, { traceId: string; spanId: string }>();
    for (let i = 0; i < 3; i++) {
      const event = buildOrderPlaced();
      await tracer.startActiveSpan(`POST order ${i}`, async (span) => {
        await Orders.create({ _id: event.data.orderId, status: 'PENDING', ...outbox.forCreate([event]) });
        requests.set(event.data.orderId, span.spanContext());
        span.end();
      });
    }
    await new Promise((r) => setTimeout(r, 5));

    relay.start();
    await until(() => handledIn.size === 3 && rounds.length > 0, 'all three orders published and handled', 30_000);

    expect(rounds.map((round) => round.length)).toEqual([3]);
    const sends = spansNamed(`send ${topic}`);
    const processes = spansNamed(`process ${topic}`);
    expect(sends).toHaveLength(3);
    const published = await readTopicToEnd(kafka, topic);
    for (const [orderId, request] of requests) {
      const send = sends.find((s) => keyOf(s) === orderId)!;
      expect(send).toMatchObject({ kind: SpanKind.PRODUCER, parentSpanContext: { traceId: request.traceId, spanId: request.spanId } });
      expect(send.spanContext().traceId).toBe(request.traceId);
      // The message carries the publish span's context, and the consumer span is its child.
      const message = published.find((p) => p.message.key?.toString() === orderId)!;
      expect(message.message.headers!.traceparent!.toString()).toBe(`00-${request.traceId}-${send.spanContext().spanId}-01`);
      const process = processes.find((s) => keyOf(s) === orderId)!;
      expect(process).toMatchObject({
        kind: SpanKind.CONSUMER,
        parentSpanContext: { traceId: request.traceId, spanId: send.spanContext().spanId },
      });
      // The handler runs inside the consume span.
      expect(handledIn.get(orderId)).toMatchObject({ traceId: request.traceId, spanId: process.spanContext().spanId });
    }
  });
});

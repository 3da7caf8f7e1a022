import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/lib/LocalStack.js';
import { dbUrl, uniqueName } from '../../test/support/infra.js';
import { privateStack } from '../../test/support/privateStack.js';
import { serializeEvent } from '../src/contracts/codec.js';
import { eventHeaders } from '../src/contracts/headers.js';
import { createConsumerKafka, createIdempotentProducer, createKafka } from '../src/kafka/createKafka.js';
import { DeadLetterPublisher } from '../src/kafka/DeadLetterPublisher.js';
import { ReliableConsumer } from '../src/kafka/ReliableConsumer.js';
import { provisionTopics } from '../src/kafka/TopicProvisioner.js';
import { buildOrderPlaced, silentLogger } from './support/testOrders.js';
import { until } from '../../tools/lib/eventually.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
/** Longer than the ~15 s of connection retries consumers had before; the broker's own restart comes on top. */
const OUTAGE_MS = 20_000;

/**
 * A consumer that gave up during a broker restart came back as a new member, and the coordinator, which
 * reloads the old member with the group, held the new one's join until the old one's session timed out
 * (10–18 s with nothing consumed, seen in the chaos "oversize burst" fault). The consumer's client now
 * retries long enough to come back as the same member.
 */
describe('reliable consumer across a broker restart', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'consumer-broker-restart-'));
  let stack: LocalStack | undefined;
  let consumer: ReliableConsumer | undefined;
  let producer: ReturnType<typeof createIdempotentProducer> | undefined;

  afterAll(async () => {
    await consumer?.stop();
    await producer?.disconnect();
    await stack?.down();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('stays the same member: no new group join, every event before and after handled once', { timeout: 240_000 }, async () => {
    // Arrange: a private broker (the shared one keeps serving other tests), a consumer on the kit's client.
    stack = await privateStack(stateDir, { dbUrl: dbUrl() });
    await stack.up();
    const brokers = [stack.kafkaBrokers];
    const kafka = createKafka({ clientId: 'restart-producer', brokers, logger: silentLogger() });
    const topic = uniqueName('restart-consumed');
    await provisionTopics(kafka, [{ topic, numPartitions: 3, withDlt: true }], silentLogger());
    producer = createIdempotentProducer(kafka);
    const handled: string[] = [];
    consumer = new ReliableConsumer({
      kafka: createConsumerKafka({ clientId: 'restart-consumer', brokers, logger: silentLogger() }),
      groupId: uniqueName('restart-group'),
      topics: [topic],
      logger: silentLogger(),
      deadLetters: new DeadLetterPublisher(producer),
    }).on('OrderPlaced', (event) => {
      handled.push(event.eventId);
      return Promise.resolve();
    });
    await consumer.start();
    const send = async (n: number): Promise<string[]> => {
      await producer!.connect();
      const events = Array.from({ length: n }, () => buildOrderPlaced());
      await producer!.send({
        topic,
        acks: -1,
        messages: events.map((e) => ({ key: e.data.orderId, value: serializeEvent(e), headers: eventHeaders(e, TRACEPARENT) })),
      });
      return events.map((e) => e.eventId);
    };
    const before = await send(6);
    await until(() => handled.length === 6, 'events before the restart handled', 30_000);
    const joinsBefore = consumer.groupJoins;

    // Act: stop the broker for longer than the old retries lasted, start it again, send more.
    await producer.disconnect();
    await stack.down(['kafka']);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await stack.up();
    const after = await send(6);

    // Assert: the events sent after the restart are handled by the same member, each once.
    await until(() => handled.length >= 12, 'events after the restart handled', 90_000);
    expect([...handled].sort()).toEqual([...before, ...after].sort());
    expect(consumer.groupJoins).toBe(joinsBefore);
  });
});

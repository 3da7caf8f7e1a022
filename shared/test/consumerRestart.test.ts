import { EventEmitter } from 'node:events';
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeadLetterPublisher } from '../src/kafka/DeadLetterPublisher.js';
import { ReliableConsumer } from '../src/kafka/ReliableConsumer.js';

/** A kafkajs consumer stand-in: counts lifecycle calls and lets the test emit its instrumentation events. */
function stubKafka() {
  const events = new EventEmitter();
  const calls = { connect: 0, subscribe: 0, run: 0, disconnect: 0 };
  const consumer = {
    events: { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' },
    on: (event: string, listener: (e: unknown) => void) => {
      events.on(event, listener);
      return () => events.off(event, listener);
    },
    connect: async () => void calls.connect++,
    subscribe: async () => void calls.subscribe++,
    run: async () => void calls.run++,
    disconnect: async () => void calls.disconnect++,
  };
  const crash = (restart: boolean) =>
    events.emit('consumer.crash', { payload: { error: new Error('Failed to find group coordinator'), restart } });
  return { kafka: { consumer: () => consumer } as unknown as Kafka, calls, crash };
}

const settle = () => new Promise((r) => setTimeout(r, 100));

describe('ReliableConsumer after kafkajs gives up', () => {
  let consumer: ReliableConsumer | undefined;
  afterEach(async () => consumer?.stop());

  const build = (kafka: Kafka) =>
    new ReliableConsumer({
      kafka,
      groupId: 'g',
      topics: ['t'],
      logger: pino({ level: 'silent' }),
      deadLetters: {} as DeadLetterPublisher,
      retry: { baseDelayMs: 2, maxDelayMs: 10 },
    });

  it('when a crash is not restarted by kafkajs (e.g. coordinator not found during a broker restart), starts consuming again', async () => {
    const stub = stubKafka();
    consumer = build(stub.kafka);
    await consumer.start();

    stub.crash(false);

    await expect.poll(() => stub.calls.run).toBe(2);
    expect(stub.calls).toMatchObject({ connect: 2, subscribe: 2 });
  });

  it('leaves a crash kafkajs restarts by itself to kafkajs', async () => {
    const stub = stubKafka();
    consumer = build(stub.kafka);
    await consumer.start();

    stub.crash(true);
    await settle();

    expect(stub.calls.run).toBe(1);
  });

  it('does not start again once stopped', async () => {
    const stub = stubKafka();
    consumer = build(stub.kafka);
    await consumer.start();
    await consumer.stop();

    stub.crash(false);
    await settle();

    expect(stub.calls.run).toBe(1);
  });
});

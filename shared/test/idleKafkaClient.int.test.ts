import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaBrokers, uniqueName } from '../../test/support/infra.js';
import { createIdempotentProducer, createKafka } from '../src/kafka/createKafka.js';
import { provisionTopics } from '../src/kafka/TopicProvisioner.js';
import { readTopicToEnd } from '../src/kafka/dltReplay.js';
import { silentLogger } from './support/testOrders.js';

interface QueuePrototype {
  checkPendingRequests(): void;
}

describe("the kit's kafkajs client at rest, against the real broker", () => {
  const prototype = (createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as { prototype: QueuePrototype })
    .prototype;
  const original = prototype.checkPendingRequests;
  afterAll(() => {
    prototype.checkPendingRequests = original;
  });

  it('delivers what it sends, then its connections stop waking up', { timeout: 60_000 }, async () => {
    const kafka = createKafka({ clientId: uniqueName('idle'), brokers: kafkaBrokers(), logger: silentLogger() });
    const topic = uniqueName('idle-topic');
    await provisionTopics(kafka, [{ topic, numPartitions: 3 }], silentLogger());
    const producer = createIdempotentProducer(kafka);
    await producer.connect();
    try {
      // Many sends at once on a one-in-flight producer: most of them wait in the queue for their turn.
      const values = Array.from({ length: 30 }, (_, i) => `v${i}`);
      await Promise.all(values.map((value, i) => producer.send({ topic, messages: [{ key: `k${i % 3}`, value }] })));
      const stored = await readTopicToEnd(kafka, topic);
      expect(stored.map((m) => m.message.value?.toString()).sort()).toEqual([...values].sort());

      let wakeUps = 0;
      prototype.checkPendingRequests = function counted(this: QueuePrototype) {
        wakeUps++;
        original.call(this);
      };
      await new Promise((r) => setTimeout(r, 1_000));
      // kafkajs 2.2.4 alone: a 1 ms timer per open connection (several thousand in this second).
      expect(wakeUps).toBeLessThan(50);
    } finally {
      await producer.disconnect();
    }
  });
});

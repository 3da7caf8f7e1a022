import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Connection } from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import { dbUrl, dbUrlFor, uniqueName } from '../../test/support/infra.js';
import { privateStack } from '../../test/support/privateStack.js';
import type { LocalStack } from '../../infra/local/lib/LocalStack.js';
import { TOPICS } from '../src/contracts/topics.js';
import { createIdempotentProducer } from '../src/kafka/createKafka.js';
import { readTopicToEnd } from '../src/kafka/dltReplay.js';
import { provisionTopics } from '../src/kafka/TopicProvisioner.js';
import { Outbox } from '../src/outbox/Outbox.js';
import { OutboxRelay } from '../src/outbox/OutboxRelay.js';
import { buildOrderPlaced, capturingLogger, connect, pendingCount, silentLogger, testOrderModel } from './support/testOrders.js';
import { until } from '../../tools/lib/eventually.js';

/** The relay's last few warn-or-worse lines: how long ago, message, error name and broker error type. */
function lastWarnings(lines: Array<Record<string, unknown>>): string {
  const loud = lines.filter((line) => Number(line.level) >= 40).slice(-5);
  return JSON.stringify(
    loud.map((line) => {
      const err = line.err as { type?: string; name?: string; message?: string } | undefined;
      return {
        agoS: Math.round((Date.now() - Number(line.time)) / 1000),
        msg: line.msg,
        attempt: line.attempt,
        err: err && { name: err.name, type: err.type, message: err.message?.slice(0, 200) },
      };
    }),
  );
}

describe('outbox while the Kafka broker stops and comes back', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'kafka-restart-'));
  let stack: LocalStack | undefined;
  let connection: Connection | undefined;

  afterAll(async () => {
    await stack?.down();
    await connection?.dropDatabase();
    await connection?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('publishes every event written before, during and after the outage exactly once', { timeout: 240_000 }, async () => {
    // Arrange: a private broker (the shared one keeps serving other tests) and the shared database.
    stack = await privateStack(stateDir, { dbUrl: dbUrl() });
    await stack.up();
    const kafka = new Kafka({
      clientId: 'restart-test',
      brokers: [stack.kafkaBrokers],
      logLevel: logLevel.NOTHING,
      retry: { retries: 3, maxRetryTime: 1_000 },
    });
    const topic = 'restart-orders';
    await provisionTopics(kafka, [{ topic, numPartitions: 3 }], silentLogger());
    connection = await connect(dbUrlFor(uniqueName('restart')));
    const Orders = testOrderModel(connection);
    // As the services build it: the relay makes its own producers, and a new one (a new producer id)
    // after a failed send. One shared producer can be left with a sequence the broker refuses for
    // good once the outage cut a send the broker had already written (kafkajs rolls the sequence back).
    const relayLog = capturingLogger();
    const relay = new OutboxRelay(() => createIdempotentProducer(kafka), relayLog.logger, {
      pollIntervalMs: 500,
      leaseMs: 3_000,
      maxBackoffMs: 1_000,
    }).register(Orders);
    relay.start();
    const outbox = new Outbox(relay, { [TOPICS.orderEvents]: topic });
    const written: string[] = [];
    const writeOrders = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        const event = buildOrderPlaced();
        await Orders.create({ _id: event.data.orderId, status: 'PENDING', ...outbox.forCreate([event]) });
        outbox.committed(Orders, event.data.orderId);
        written.push(event.eventId);
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    // Act: write, stop the broker mid-stream, keep writing, start it again, write more.
    await writeOrders(60);
    const stopping = stack.down(['kafka']);
    await writeOrders(60);
    await stopping;
    await writeOrders(60);
    // The outage is real: what was written while the broker was down is still waiting.
    expect(await pendingCount(Orders)).toBeGreaterThanOrEqual(60);
    await stack.up();
    await writeOrders(60);

    // Assert: everything published, nothing twice.
    let left = Number.NaN;
    await until(
      async () => (left = await pendingCount(Orders)) === 0,
      // What the relay said last, should it never drain (CI keeps no logs).
      () => `outbox drained (${left} documents left; the relay's last warnings: ${lastWarnings(relayLog.lines)})`,
      120_000,
    );
    await relay.stop();
    const published = (await readTopicToEnd(kafka, topic)).map(({ message }) => message.headers!.eventId!.toString());
    expect(published).toHaveLength(written.length);
    expect(new Set(published)).toEqual(new Set(written));
  });
});

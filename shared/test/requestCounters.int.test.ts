import { afterAll, describe, expect, it } from 'vitest';
import { dbUrlFor, testKafka, uniqueName } from '../../test/support/infra.js';
import { countKafkaRequests } from '../src/kafka/countKafkaRequests.js';
import { createIdempotentProducer } from '../src/kafka/createKafka.js';
import { provisionTopics } from '../src/kafka/TopicProvisioner.js';
import { metricsRegistry } from '../src/metrics/metrics.js';
import { connectDatabase, initModels } from '../src/persistence/connectDatabase.js';
import { silentLogger } from './support/testOrders.js';

/** The value of one series in /metrics text, 0 when absent. */
async function series(name: string, labels: string): Promise<number> {
  const line = (await metricsRegistry.metrics()).split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('request counters on /metrics (the benchmark reads them for commands per order)', () => {
  const connection = connectDatabase(dbUrlFor(uniqueName('counters').replaceAll('-', '_')), silentLogger());
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('counts every driver command of a service connection by name', async () => {
    await initModels(connection, []); // waits for the connection
    const things = connection.collection('things');
    const inserts = await series('db_commands_total', 'command="insert"');
    const updates = await series('db_commands_total', 'command="update"');

    await things.insertOne({ n: 1 });
    await things.insertOne({ n: 2 });
    await things.updateOne({ n: 1 }, { $set: { n: 3 } });

    expect(await series('db_commands_total', 'command="insert"')).toBe(inserts + 2);
    expect(await series('db_commands_total', 'command="update"')).toBe(updates + 1);
  });

  it('counts the Kafka requests a producer sends, by API', async () => {
    const kafka = testKafka();
    const topic = uniqueName('counted');
    await provisionTopics(kafka, [{ topic, numPartitions: 1 }], silentLogger());
    const producer = createIdempotentProducer(kafka);
    countKafkaRequests(producer, 'producer');
    await producer.connect();
    try {
      const produced = await series('kafka_requests_total', 'client="producer",api="Produce"');
      await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'one' }] });
      await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'two' }] });
      expect(await series('kafka_requests_total', 'client="producer",api="Produce"')).toBe(produced + 2);
    } finally {
      await producer.disconnect();
    }
  });
});

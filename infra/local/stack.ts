/**
 * npm run stack:up | stack:down | stack:status [-- --brokers 1|3]
 * The local Kafka (one broker, or a three-node KRaft cluster) and MongoDB-compatible server, without Docker (SPEC §8).
 */
import { parseArgs } from 'node:util';
import { dltTopicOf, TOPICS } from '@orderplatform/shared/contracts';
import { defaultStackOptions, kafkaNodeCount } from './lib/config.js';
import { LocalStack } from './lib/LocalStack.js';
import { partitionLeaders } from './lib/partitionLeaders.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { brokers: { type: 'string' } } });
const command = positionals[0];

async function main(): Promise<void> {
  const brokersFlag = values.brokers === undefined ? undefined : kafkaNodeCount(values.brokers);
  const options = defaultStackOptions(process.env, { kafkaNodes: brokersFlag });
  const stack = new LocalStack(options, { kafkaBrokers: process.env.KAFKA_BROKERS || undefined, dbUrl: process.env.DB_URL || undefined });
  switch (command) {
    case 'up': {
      const started = Date.now();
      const result = await stack.up();
      const replication =
        options.kafkaNodes > 1 && !process.env.KAFKA_BROKERS ? ' (topics default to replication factor 3, min.insync.replicas 2)' : '';
      console.log(
        `[stack] up in ${((Date.now() - started) / 1000).toFixed(1)}s: KAFKA_BROKERS=${result.kafkaBrokers} DB_URL=${result.dbUrl}${replication}`,
      );
      break;
    }
    case 'down':
      await stack.down();
      break;
    case 'status': {
      const rows = stack.status();
      for (const row of rows) {
        const backend = row.backend ? `, ${row.backend} backend` : '';
        const detail =
          row.state === 'running'
            ? `pid ${row.pid}${backend}, log ${row.logFile}`
            : row.state === 'stopped'
              ? `log ${row.logFile}`
              : 'from environment';
        console.log(`${row.name.padEnd(8)} ${row.state.padEnd(8)} ${row.address.padEnd(16)} ${detail}`);
      }
      const brokers = rows.filter((row) => row.name.startsWith('kafka') && row.state !== 'stopped').map((row) => row.address);
      if (brokers.length > 0) await printLeaders(brokers.join(','));
      // Exit 0 only when every component is up: usable as a check in scripts.
      process.exitCode = rows.every((row) => row.state !== 'stopped') ? 0 : 3;
      break;
    }
    default:
      console.error('usage: stack.ts up | down | status [--brokers 1|3]');
      process.exitCode = 2;
  }
}

/** Which broker leads each partition of the platform's topics (and which replicas are in sync). */
async function printLeaders(brokers: string): Promise<void> {
  const topics = [TOPICS.orderEvents, TOPICS.inventoryEvents].flatMap((topic) => [topic, dltTopicOf(topic)]);
  try {
    const { brokers: inMetadata, topics: described } = await partitionLeaders(brokers, topics);
    console.log(`\nbrokers in the cluster's metadata: ${inMetadata.map((b) => `${b.nodeId} (${b.address})`).join(', ')}`);
    if (described.length === 0) console.log('no platform topics yet (the services create them at start-up)');
    for (const topic of described) {
      const cells = topic.partitions.map((p) => `p${p.partition} leader ${p.leader} isr [${p.isr.join(',')}]`);
      console.log(`${topic.topic.padEnd(40)} ${cells.join('  ')}`);
    }
  } catch (err) {
    console.log(`\npartition leaders: Kafka did not answer (${err instanceof Error ? err.message : String(err)})`);
  }
}

main().catch((err: unknown) => {
  console.error(`[stack] ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});

import type { KafkaNodeCount, MongoBackend } from '../../infra/local/lib/config.js';
import { LocalStack } from '../../infra/local/lib/LocalStack.js';
import { privateStackOptions } from '../../infra/local/lib/privateStack.js';

/**
 * A second local stack on free ports with its own state folder (jars come from the shared cache),
 * for tests that stop and start a broker without disturbing the one other tests use.
 * `brokers: 3` makes it a three-node Kafka cluster.
 */
export async function privateStack(
  stateDir: string,
  opts: { mongoPort?: number; dbUrl?: string; kafkaBrokers?: string; brokers?: KafkaNodeCount; mongoBackend?: MongoBackend } = {},
): Promise<LocalStack> {
  const options = {
    ...(await privateStackOptions(stateDir, { kafkaNodes: opts.brokers, mongoPort: opts.mongoPort })),
    mongoBackend: opts.mongoBackend ?? 'h2',
  };
  return new LocalStack(options, { dbUrl: opts.dbUrl, kafkaBrokers: opts.kafkaBrokers }, () => undefined);
}

import type { TestProject } from 'vitest/node';
import { defaultStackOptions } from '../../infra/local/lib/config.js';
import { LocalStack } from '../../infra/local/lib/LocalStack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    dbUrl: string;
  }
}

/**
 * Brings the local stack up before any integration test (or uses KAFKA_BROKERS / DB_URL), and
 * afterwards stops only what it started, so no process outlives the test command. If the stack
 * cannot start, this throws and the whole run fails: integration tests never skip.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = new LocalStack(defaultStackOptions(), { kafkaBrokers: process.env.KAFKA_BROKERS, dbUrl: process.env.DB_URL });
  const startedAt = Date.now();
  const result = await stack.up();
  console.log(`[stack] integration tests use Kafka ${result.kafkaBrokers} and ${result.dbUrl} (ready in ${Date.now() - startedAt} ms)`);
  project.provide('kafkaBrokers', result.kafkaBrokers);
  project.provide('dbUrl', result.dbUrl);
  return async () => {
    if (result.started.length > 0) await stack.down(result.started);
  };
}

import { defaultStackOptions, type MongoBackend } from '../../infra/local/lib/config.js';
import { LocalStack } from '../../infra/local/lib/LocalStack.js';
import { freePort } from '../../scripts/lib/serviceProcess.js';

export { freePort };

/**
 * A second local stack on free ports with its own state folder (jars come from the shared cache),
 * for tests that stop and start a broker without disturbing the one other tests use.
 */
export async function privateStack(stateDir: string, opts: { mongoPort?: number; dbUrl?: string; kafkaBrokers?: string; mongoBackend?: MongoBackend } = {}): Promise<LocalStack> {
  const options = {
    ...defaultStackOptions(),
    stateDir,
    kafkaPort: await freePort(),
    kafkaControllerPort: await freePort(),
    mongoPort: opts.mongoPort ?? (await freePort()),
    mongoBackend: opts.mongoBackend ?? 'h2',
  };
  return new LocalStack(options, { dbUrl: opts.dbUrl, kafkaBrokers: opts.kafkaBrokers }, () => undefined);
}

import type { KafkaNodeCount, StackOptions } from './config.js';
import { defaultStackOptions } from './config.js';
import { freePort } from './processes.js';

/**
 * Options for a stack beside the default one: its own state folder and free ports (every Kafka node's
 * pair too), jars from the shared cache. Tests and the benchmark's `--brokers 3` run use it.
 */
export async function privateStackOptions(
  stateDir: string,
  opts: { kafkaNodes?: KafkaNodeCount; mongoPort?: number } = {},
): Promise<StackOptions> {
  const kafkaNodes = opts.kafkaNodes ?? 1;
  const taken = new Set<number>();
  const port = async (): Promise<number> => {
    for (;;) {
      const p = await freePort();
      if (!taken.has(p)) {
        taken.add(p);
        return p;
      }
    }
  };
  const kafkaNodePorts = [];
  for (let i = 0; i < kafkaNodes; i++) kafkaNodePorts.push({ port: await port(), controllerPort: await port() });
  return {
    ...defaultStackOptions(),
    stateDir,
    kafkaNodes,
    kafkaPort: kafkaNodePorts[0]!.port,
    kafkaControllerPort: kafkaNodePorts[0]!.controllerPort,
    kafkaNodePorts,
    mongoPort: opts.mongoPort ?? (await port()),
  };
}

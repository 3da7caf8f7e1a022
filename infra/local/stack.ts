/**
 * npm run stack:up | stack:down | stack:status
 * The local Kafka broker and MongoDB-compatible server, without Docker (SPEC §8).
 */
import { defaultStackOptions } from './lib/config.js';
import { LocalStack } from './lib/LocalStack.js';

const command = process.argv[2];
const stack = new LocalStack(defaultStackOptions(), { kafkaBrokers: process.env.KAFKA_BROKERS, dbUrl: process.env.DB_URL });

async function main(): Promise<void> {
  switch (command) {
    case 'up': {
      const started = Date.now();
      const result = await stack.up();
      console.log(`[stack] up in ${((Date.now() - started) / 1000).toFixed(1)}s: KAFKA_BROKERS=${result.kafkaBrokers} DB_URL=${result.dbUrl}`);
      break;
    }
    case 'down':
      await stack.down();
      break;
    case 'status': {
      const rows = stack.status();
      for (const row of rows) {
        const backend = row.backend ? `, ${row.backend} backend` : '';
        const detail = row.state === 'running' ? `pid ${row.pid}${backend}, log ${row.logFile}` : row.state === 'stopped' ? `log ${row.logFile}` : 'from environment';
        console.log(`${row.name.padEnd(6)} ${row.state.padEnd(8)} ${row.address.padEnd(16)} ${detail}`);
      }
      // Exit 0 only when every component is up: usable as a check in scripts.
      process.exitCode = rows.every((row) => row.state !== 'stopped') ? 0 : 3;
      break;
    }
    default:
      console.error('usage: stack.ts up | down | status');
      process.exitCode = 2;
  }
}

main().catch((err: unknown) => {
  console.error(`[stack] ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});

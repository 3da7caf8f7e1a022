/**
 * Dead-letter topics: see what is parked and why, and re-publish it once the cause is fixed.
 *
 *   npm run dlt -- list   [--topic <topic>]                       # every DLT, or one
 *   npm run dlt -- replay  --topic <topic> [--group <consumer group>] [filters] [--dry-run]
 *   filters: --event-type <type> --event-id <id> --error-class <class> --key <orderId>
 *
 * <topic> is the original topic (e.g. order-service.order-events) or its .DLT name. One DLT serves
 * every group consuming the topic: --group replays only what that group refused, and only that group
 * handles it again (the others skip it by its dlt.replay.group header). Without --group every
 * consumer of the topic receives it again; --dry-run names, per message, the groups it would reach.
 * Brokers: --brokers host:port[,host:port] or KAFKA_BROKERS (default 127.0.0.1:9092).
 */
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { DLT_SUFFIX, TOPICS, dltTopicOf } from '../contracts/topics.js';
import { createIdempotentProducer } from '../kafka/createKafka.js';
import {
  consumingGroups,
  readDeadLetters,
  replayDeadLetters,
  replayReach,
  type DeadLetterFilter,
  type DeadLetterRecord,
} from '../kafka/dltReplay.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    topic: { type: 'string' },
    brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092' },
    'event-type': { type: 'string' },
    'event-id': { type: 'string' },
    'error-class': { type: 'string' },
    key: { type: 'string' },
    group: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
});

const command = positionals[0];
const kafka = new Kafka({ clientId: 'dlt-cli', brokers: values.brokers.split(','), logLevel: logLevel.ERROR });
const toDlt = (topic: string): string => (topic.endsWith(DLT_SUFFIX) ? topic : dltTopicOf(topic));
const toOriginal = (topic: string): string => (topic.endsWith(DLT_SUFFIX) ? topic.slice(0, -DLT_SUFFIX.length) : topic);

function describeOne(r: DeadLetterRecord): void {
  console.log(
    `  ${r.dltTopic}/${r.partition}@${r.offset}  key=${r.key ?? '-'}  ${r.eventType ?? '?'} ${r.eventId ?? ''}  refused by ${r.consumerGroup ?? '?'}  ` +
      `${r.errorClass ?? '?'} after ${r.attempts ?? '?'} attempt(s) at ${r.failedAt ?? '?'}: ${r.errorMessage ?? ''}`,
  );
}

function describe(records: DeadLetterRecord[]): void {
  for (const r of records) describeOne(r);
}

async function list(): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  await admin.disconnect();
  const dlts = values.topic ? [toDlt(values.topic)] : [...existing].filter((t) => t.endsWith(DLT_SUFFIX)).sort();
  if (dlts.length === 0) console.log('No dead-letter topics exist yet.');
  for (const dlt of dlts) {
    if (!existing.has(dlt)) {
      console.log(`${dlt}: does not exist`);
      continue;
    }
    const records = await readDeadLetters(kafka, dlt);
    const byClass = new Map<string, number>();
    for (const r of records) byClass.set(r.errorClass ?? 'unknown', (byClass.get(r.errorClass ?? 'unknown') ?? 0) + 1);
    const classes = [...byClass].map(([name, n]) => `${name}: ${n}`).join(', ');
    console.log(`${dlt}: ${records.length} message(s)${classes ? ` (${classes})` : ''}`);
    describe(records);
  }
}

async function replay(): Promise<void> {
  if (!values.topic) throw new Error(`replay needs --topic (e.g. --topic ${TOPICS.orderEvents})`);
  const filter: DeadLetterFilter = {
    eventType: values['event-type'],
    eventId: values['event-id'],
    errorClass: values['error-class'],
    key: values.key,
    group: values.group,
  };
  const original = toOriginal(values.topic);
  const [records, consumers] = await Promise.all([readDeadLetters(kafka, toDlt(values.topic)), consumingGroups(kafka, original)]);
  if (filter.group === undefined) {
    console.error(
      `warning: without --group the replay reaches every group consuming ${original} (${consumers.join(', ') || 'none now'}): ` +
        'a message several groups refused is handled, and maybe dead-lettered, again by each. Replay one group with --group <group>.',
    );
  }
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  try {
    const selected = await replayDeadLetters(producer, records, filter, values['dry-run']);
    const forGroup = filter.group === undefined ? '' : ` for group ${filter.group}`;
    console.log(
      `${values['dry-run'] ? 'Would replay' : 'Replayed'} ${selected.length} of ${records.length} message(s) from ${toDlt(values.topic)}${forGroup}:`,
    );
    for (const { record, alsoReaches, refusedBy } of replayReach(selected, records, consumers, filter.group)) {
      describeOne(record);
      if (filter.group !== undefined) console.log(`    only ${filter.group} handles it again; the other consumers of ${original} skip it`);
      else if (alsoReaches.length === 0) console.log(`    reaches no other consumer group of ${original}`);
      else
        console.log(
          `    ${values['dry-run'] ? 'would also reach' : 'also reached'}: ${alsoReaches.map((g) => (refusedBy.includes(g) ? `${g} (refused it too)` : g)).join(', ')}`,
        );
    }
  } finally {
    await producer.disconnect();
  }
}

const commands: Record<string, () => Promise<void>> = { list, replay };
const run = command ? commands[command] : undefined;
if (!run) {
  console.error(
    'usage: dlt list [--topic T] | dlt replay --topic T [--group G] [--event-type X] [--event-id X] [--error-class X] [--key X] [--dry-run]',
  );
  process.exitCode = 2;
} else {
  run().catch((err: unknown) => {
    console.error(`dlt ${command}: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}

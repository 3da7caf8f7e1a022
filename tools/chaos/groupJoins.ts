import { logLinesIn } from './serviceLogs.js';

/** kafkajs's own line for a join (consumerGroup.js), logged through pino by shared/src/logging/kafkaLogCreator.ts. */
const KAFKAJS_JOINED = 'Consumer has joined the group';
/** The reliable consumer's line for the same GROUP_JOIN event. */
const CONSUMER_JOINED = 'Joined consumer group';

/**
 * How many times the process(es) that wrote `file` joined their consumer group between `from` and
 * `to` (epoch ms), read from the JSON log lines. Both lines stand for one join; the larger count is
 * taken, so the figure survives either line being dropped or renamed alone.
 */
export function countGroupJoins(file: string, from: number, to: number): number {
  let kafkajs = 0;
  let consumer = 0;
  for (const entry of logLinesIn(file, from, to, (line) => line.includes(KAFKAJS_JOINED) || line.includes(CONSUMER_JOINED))) {
    if (entry.msg === KAFKAJS_JOINED) kafkajs += 1;
    else if (entry.msg === CONSUMER_JOINED) consumer += 1;
  }
  return Math.max(kafkajs, consumer);
}

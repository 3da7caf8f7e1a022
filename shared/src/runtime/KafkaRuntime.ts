import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { DeadLetterPublisher } from '../kafka/DeadLetterPublisher.js';
import type { ReliableConsumer } from '../kafka/ReliableConsumer.js';
import { provisionTopics, type TopicReplication, type TopicSpec } from '../kafka/TopicProvisioner.js';
import { createIdempotentProducer } from '../kafka/createKafka.js';
import { topicMessageLimits } from '../kafka/topicMessageLimits.js';
import { backoffDelay, RECONNECT_BACKOFF, sleep } from '../lifecycle/backoff.js';
import type { OutboxRelay } from '../outbox/OutboxRelay.js';

/** Shutdown budget (SPEC §5: all of it within 10 s): consumers, then the relay's own 3 s, then disconnects. */
const CONSUMER_STOP_MS = 4_000;
const DISCONNECT_MS = 1_000;

/** Waits for `work`, but no longer than `ms`. */
async function withDeadline(work: Promise<unknown>, ms: number): Promise<'done' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  const outcome = await Promise.race([work.then(() => 'done' as const), timeout]);
  clearTimeout(timer);
  return outcome;
}

/**
 * A service's Kafka side: the one idempotent producer (outbox relay + DLT), topic provisioning and
 * the consumers. `start()` returns at once; connecting is retried in the background so the service
 * runs (and reports not-ready) while Kafka is down, and reconnects by itself (SPEC §5).
 */
export class KafkaRuntime {
  readonly producer: Producer;
  readonly deadLetters: DeadLetterPublisher;
  private readonly admin: Admin;
  private readonly consumers: ReliableConsumer[] = [];
  private relay: OutboxRelay | undefined;
  private started = false;
  private stopping = false;
  private startup: Promise<void> | undefined;
  private lastCheck = { at: 0, up: false };

  constructor(
    readonly kafka: Kafka,
    private readonly topics: TopicSpec[],
    private readonly log: Logger,
    private readonly replication: TopicReplication = {},
    /** Must succeed before anything is consumed or published (e.g. creating the database's collections). */
    private readonly before: () => Promise<void> = async () => undefined,
  ) {
    this.producer = createIdempotentProducer(kafka);
    this.deadLetters = new DeadLetterPublisher(this.producer);
    this.admin = kafka.admin();
  }

  withRelay(relay: OutboxRelay): this {
    this.relay = relay;
    return this;
  }

  addConsumer(consumer: ReliableConsumer): this {
    this.consumers.push(consumer);
    return this;
  }

  start(): Promise<void> {
    this.startup ??= this.startWithRetry();
    return this.startup;
  }

  /**
   * Creates missing topics (at start, and again when the relay finds one gone) and tells the relay
   * how large a message each topic accepts.
   */
  async provision(): Promise<void> {
    await provisionTopics(this.kafka, this.topics, this.log, this.replication);
    this.relay?.setTopicLimits(
      await topicMessageLimits(
        this.admin,
        this.topics.map((t) => t.topic),
      ),
    );
  }

  /** Up when the broker answered a metadata request within the last couple of seconds. */
  async isUp(): Promise<boolean> {
    if (!this.started) return false;
    if (Date.now() - this.lastCheck.at < 2_000) return this.lastCheck.up;
    let up = false;
    try {
      const cluster = await this.admin.describeCluster();
      up = cluster.brokers.length > 0;
    } catch {
      up = false;
    }
    this.lastCheck = { at: Date.now(), up };
    return up;
  }

  /** Stop consuming (in-flight messages finish, offsets commit), flush the outbox, disconnect. */
  async stop(): Promise<void> {
    this.stopping = true;
    // Each part is bounded, so shutdown ends in time even while Kafka is down (kafkajs would retry
    // the offset commit and the group leave for far longer): offsets not committed mean those
    // messages are delivered again (handlers are idempotent), events not published stay in the outbox.
    const consumersStopped = Promise.all(
      this.consumers.map((c) => c.stop().catch((err: unknown) => this.log.warn({ err }, 'Consumer stop failed'))),
    );
    if ((await withDeadline(consumersStopped, CONSUMER_STOP_MS)) === 'timeout') {
      this.log.warn(
        { timeoutMs: CONSUMER_STOP_MS },
        'Consumers did not stop in time (Kafka unreachable?); uncommitted messages will be delivered again',
      );
    }
    await this.relay?.stop();
    await withDeadline(
      this.producer.disconnect().catch(() => undefined),
      DISCONNECT_MS,
    );
    await withDeadline(
      this.admin.disconnect().catch(() => undefined),
      DISCONNECT_MS,
    );
  }

  private async startWithRetry(): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await this.before();
        await this.admin.connect();
        await this.provision();
        await this.producer.connect();
        this.started = true;
        this.relay?.start();
        for (const consumer of this.consumers) await consumer.start();
        this.log.info({ topics: this.topics.map((t) => t.topic), consumers: this.consumers.length }, 'Kafka ready');
        return;
      } catch (err) {
        const delay = backoffDelay(RECONNECT_BACKOFF, attempt);
        this.log.warn({ err, attempt, retryInMs: delay }, 'Kafka or the database not reachable yet; retrying');
        await sleep(delay);
      }
    }
  }
}

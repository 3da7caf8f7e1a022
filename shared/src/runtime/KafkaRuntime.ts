import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { DeadLetterPublisher } from '../kafka/DeadLetterPublisher.js';
import type { ReliableConsumer } from '../kafka/ReliableConsumer.js';
import { provisionTopics, type TopicReplication, type TopicSpec } from '../kafka/TopicProvisioner.js';
import { createIdempotentProducer } from '../kafka/createKafka.js';
import type { OutboxRelay } from '../outbox/OutboxRelay.js';

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
    await Promise.all(this.consumers.map((c) => c.stop().catch((err: unknown) => this.log.warn({ err }, 'Consumer stop failed'))));
    await this.relay?.stop();
    await this.producer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }

  private async startWithRetry(): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await this.before();
        await this.admin.connect();
        await provisionTopics(this.kafka, this.topics, this.log, this.replication);
        await this.producer.connect();
        this.started = true;
        this.relay?.start();
        for (const consumer of this.consumers) await consumer.start();
        this.log.info({ topics: this.topics.map((t) => t.topic), consumers: this.consumers.length }, 'Kafka ready');
        return;
      } catch (err) {
        const delay = Math.min(10_000, 500 * 2 ** Math.min(attempt, 5));
        this.log.warn({ err, attempt, retryInMs: delay }, 'Kafka or the database not reachable yet; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}

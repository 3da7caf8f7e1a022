import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { DomainEvent } from '../contracts/codec.js';
import { parseEvent } from '../contracts/codec.js';
import type { EventType } from '../contracts/events.js';
import { HEADERS, readHeaders } from '../contracts/headers.js';
import { childTraceparent } from '../contracts/traceparent.js';
import { runWithContext } from '../context/requestContext.js';
import { DomainError, TRANSIENT_KINDS } from '../errors/DomainError.js';
import { isDependencyUnavailable } from '../persistence/dependencyErrors.js';
import { PermanentError } from '../errors/PermanentError.js';
import { metrics } from '../metrics/metrics.js';
import { withConsumeSpan } from '../tracing/messagingSpans.js';
import { DLT_HEADERS, DeadLetterPublisher } from './DeadLetterPublisher.js';
import type { ProcessedEventStore } from './ProcessedEventStore.js';
import { DEFAULT_RETRY_POLICY, backoffDelay, type RetryPolicy } from '../lifecycle/backoff.js';

export interface MessageMeta {
  topic: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

export type EventHandler<T extends EventType> = (event: DomainEvent<T>, meta: MessageMeta) => Promise<void>;

export interface ReliableConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  logger: Logger;
  /** Where the dead letters go; usually the service's idempotent producer. */
  deadLetters: DeadLetterPublisher;
  /** eventId dedupe; omit only when every handler is naturally idempotent. */
  processedEvents?: ProcessedEventStore;
  retry?: Partial<RetryPolicy>;
  /** Partitions handled in parallel (order is kept within each). */
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
}

type Outcome = { kind: 'done' } | { kind: 'retry'; delayMs: number };

/**
 * The one Kafka consumer loop of the platform (SPEC §5). Per message: parse and validate the
 * envelope; skip unknown event types; skip events already processed; run the handler inside the
 * event's correlation context; record it as processed; only then resolve the offset, so a commit
 * never runs ahead of durable effects. A failing handler does not block the loop: its partition is
 * paused and resumed after a backoff (other partitions go on, heartbeats continue, no rebalance),
 * and the same message is fetched again. Permanent failures and exhausted retries go to the DLT.
 */
export class ReliableConsumer {
  private readonly consumer: Consumer;
  private readonly handlers = new Map<string, EventHandler<never>>();
  private readonly attempts = new Map<string, number>();
  private readonly retry: RetryPolicy;
  private readonly log: Logger;
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  /** Failed dedupe lookups in a row per partition (for the backoff). */
  private readonly lookupFailures = new Map<string, number>();
  private rebalances = 0;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Restarts after kafkajs gave up, since the last successful join (for the backoff). */
  private restartsInARow = 0;

  constructor(private readonly opts: ReliableConsumerOptions) {
    this.retry = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    this.log = opts.logger.child({ component: 'consumer', group: opts.groupId });
    this.consumer = opts.kafka.consumer({
      groupId: opts.groupId,
      // Short enough that a crashed member's partitions move on quickly; handlers never block the
      // heartbeat (retries pause the partition instead), so a long timeout buys nothing.
      sessionTimeout: opts.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
      retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
      this.rebalances += 1;
      this.restartsInARow = 0;
      this.log.info({ memberId: e.payload.memberId, assignment: e.payload.memberAssignment }, 'Joined consumer group');
    });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      this.log.error({ err: e.payload.error, restart: e.payload.restart }, 'Consumer crashed');
      // kafkajs restarts itself only after errors it deems retriable. Some it does not are plain broker
      // restarts (KafkaJSGroupCoordinatorNotFound while the broker goes down during a join, see
      // tulios/kafkajs#1630): the consumer would stay stopped while the service runs and reports ready.
      // kafkajs has disconnected it by now, so start it again.
      if (!e.payload.restart) this.scheduleRestart();
    });
  }

  on<T extends EventType>(eventType: T, handler: EventHandler<T>): this {
    this.handlers.set(eventType, handler as EventHandler<never>);
    return this;
  }

  /** How many times this member joined its group (1 after a clean start); tests use it to see rebalances. */
  get groupJoins(): number {
    return this.rebalances;
  }

  get kafkaConsumer(): Consumer {
    return this.consumer;
  }

  async start(): Promise<void> {
    this.stopping = false;
    await this.consumer.connect();
    for (const topic of this.opts.topics) await this.consumer.subscribe({ topic, fromBeginning: true });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      // Commit progress within long batches too (a backlog after an outage arrives as one big batch).
      autoCommitInterval: 1_000,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** Finishes the message in hand, commits resolved offsets and leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    for (const timer of this.resumeTimers) clearTimeout(timer);
    await this.consumer.disconnect();
  }

  /** Starts the consumer again after a backoff; again and again while the broker stays away. */
  private scheduleRestart(): void {
    if (this.stopping || this.restartTimer) return;
    this.restartsInARow += 1;
    const delayMs = backoffDelay(this.retry, this.restartsInARow);
    this.log.warn(
      { delayMs, restartsInARow: this.restartsInARow },
      'Consumer stopped after an error kafkajs does not retry; starting it again',
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.start().catch((err: unknown) => {
        this.log.warn({ err }, 'Consumer restart failed; trying again');
        this.scheduleRestart();
      });
    }, delayMs);
  }

  private async eachBatch({
    batch,
    resolveOffset,
    heartbeat,
    pause,
    isRunning,
    isStale,
    commitOffsetsIfNecessary,
  }: EachBatchPayload): Promise<void> {
    const partitionKey = `${batch.topic}/${batch.partition}`;
    const pauseFor = (delayMs: number): void => {
      // Leave the offset unresolved: after the pause the same message is fetched again.
      const resume = pause();
      const timer = setTimeout(() => {
        this.resumeTimers.delete(timer);
        resume();
      }, delayMs);
      this.resumeTimers.add(timer);
    };
    // One dedupe lookup for the whole batch (by the eventId header) instead of one per message.
    let processed: Set<string>;
    try {
      processed = await this.processedAmong(batch.messages);
      this.lookupFailures.delete(partitionKey);
    } catch (err) {
      // The database is away: nothing was done, so pause the partition and fetch again later
      // (throwing here would make kafkajs restart the consumer and rejoin the group).
      const failures = (this.lookupFailures.get(partitionKey) ?? 0) + 1;
      this.lookupFailures.set(partitionKey, failures);
      const delayMs = backoffDelay(this.retry, failures);
      this.log.warn(
        { err, topic: batch.topic, partition: batch.partition, retryInMs: delayMs },
        'Could not read processed events; pausing the partition',
      );
      pauseFor(delayMs);
      return;
    }
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) return;
      const outcome = await withConsumeSpan(batch.topic, batch.partition, message, () =>
        this.handleMessage(batch.topic, batch.partition, message, processed),
      );
      if (outcome.kind === 'retry') {
        pauseFor(outcome.delayMs);
        return;
      }
      resolveOffset(message.offset);
      await commitOffsetsIfNecessary();
      metrics.consumerLag.set(
        { group: this.opts.groupId, topic: batch.topic, partition: String(batch.partition) },
        Math.max(0, Number(batch.highWatermark) - Number(message.offset) - 1),
      );
      await heartbeat();
    }
  }

  private async processedAmong(messages: KafkaMessage[]): Promise<Set<string>> {
    if (!this.opts.processedEvents) return new Set();
    const ids = messages.map((m) => m.headers?.[HEADERS.eventId]?.toString()).filter((id): id is string => id !== undefined);
    return this.opts.processedEvents.processedAmong(this.opts.groupId, ids);
  }

  /** `processed`: events known to be processed when the batch was fetched (and those handled since). */
  private async handleMessage(topic: string, partition: number, message: KafkaMessage, processed: Set<string>): Promise<Outcome> {
    const headers = readHeaders(message.headers);
    const meta: MessageMeta = { topic, partition, offset: message.offset, headers };
    const parsed = parseEvent(message.value);
    const eventType = parsed.kind === 'ok' ? parsed.event.eventType : (parsed.eventType ?? headers[HEADERS.eventType] ?? 'unknown');
    const log = this.log.child({
      topic,
      partition,
      offset: message.offset,
      eventType,
      eventId: parsed.kind === 'ok' ? parsed.event.eventId : headers[HEADERS.eventId],
      orderId: message.key?.toString(),
    });

    const replayFor = headers[DLT_HEADERS.replayGroup];
    if (replayFor !== undefined && replayFor !== this.opts.groupId) {
      // A dead letter replayed for one group: this group already handled (or dead-lettered) the original.
      metrics.eventsSkipped.inc({ topic, event_type: eventType });
      log.debug({ replayFor }, 'Skipping a dead letter replayed for another consumer group');
      return { kind: 'done' };
    }
    if (parsed.kind === 'unknown-type' || (parsed.kind === 'ok' && !this.handlers.has(eventType))) {
      // Forward compatibility: a type this service does not know (or does not handle) is not an error.
      metrics.eventsSkipped.inc({ topic, event_type: eventType });
      log.debug('Skipping event type this consumer does not handle');
      return { kind: 'done' };
    }
    if (parsed.kind === 'invalid') {
      return this.deadLetter(topic, partition, message, { name: 'InvalidEventError', message: parsed.reason }, 1, eventType, log);
    }

    const event = parsed.event;
    const context = {
      correlationId: event.correlationId,
      causationId: event.eventId,
      traceparent: childTraceparent(headers[HEADERS.traceparent]),
    };
    return runWithContext(context, async () => {
      const attemptKey = `${topic}/${partition}/${message.offset}`;
      try {
        const prefetched = message.headers?.[HEADERS.eventId]?.toString() === event.eventId;
        const duplicate =
          processed.has(event.eventId) || (!prefetched && (await this.opts.processedEvents?.has(this.opts.groupId, event.eventId)));
        if (this.opts.processedEvents && duplicate) {
          metrics.eventsDuplicate.inc({ topic, event_type: eventType });
          log.info('Duplicate event skipped');
          return { kind: 'done' } as const;
        }
        await this.handlers.get(eventType)!(event as never, meta);
        await this.opts.processedEvents?.record(this.opts.groupId, event.eventId, eventType);
        processed.add(event.eventId);
        this.attempts.delete(attemptKey);
        metrics.eventsConsumed.inc({ topic, event_type: eventType });
        log.debug('Event handled');
        return { kind: 'done' } as const;
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        const attempt = (this.attempts.get(attemptKey) ?? 0) + 1;
        metrics.eventsFailed.inc({ topic, event_type: eventType, error_class: error.name });
        // A refusal (invalid, not found, conflict, …) will not change on retry; an unavailable dependency may.
        const permanent = error instanceof PermanentError || (error instanceof DomainError && !TRANSIENT_KINDS.has(error.kind));
        // An outage is nobody's fault in the message: it is retried (with backoff) for as long as
        // the outage lasts, never dead-lettered for running out of attempts.
        const outage = (error instanceof DomainError && error.kind === 'unavailable') || isDependencyUnavailable(error);
        if (permanent || (!outage && attempt >= this.retry.maxAttempts)) {
          this.attempts.delete(attemptKey);
          return this.deadLetter(topic, partition, message, { name: error.name, message: error.message }, attempt, eventType, log);
        }
        this.attempts.set(attemptKey, attempt);
        const delayMs = backoffDelay(this.retry, attempt);
        log.warn({ err: error, attempt, retryInMs: delayMs }, 'Handler failed; retrying after backoff');
        return { kind: 'retry', delayMs } as const;
      }
    });
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: { name: string; message: string },
    attempts: number,
    eventType: string,
    log: Logger,
  ): Promise<Outcome> {
    try {
      await this.opts.deadLetters.publish({ topic, partition, message, error, attempts, group: this.opts.groupId });
    } catch (err) {
      // The DLT is unreachable: keep the message (retry later) rather than lose it.
      log.error({ err }, 'Could not publish to the DLT; will retry');
      return { kind: 'retry', delayMs: backoffDelay(this.retry, attempts) };
    }
    metrics.eventsDeadLettered.inc({ topic, event_type: eventType });
    log.error({ errorClass: error.name, reason: error.message, attempts }, 'Event sent to the dead-letter topic');
    return { kind: 'done' };
  }
}

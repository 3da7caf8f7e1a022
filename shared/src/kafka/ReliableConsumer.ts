import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { DomainEvent } from '../contracts/codec.js';
import { parseEvent } from '../contracts/codec.js';
import type { EventType } from '../contracts/events.js';
import { HEADERS, readHeaders } from '../contracts/headers.js';
import { childTraceparent } from '../contracts/traceparent.js';
import { runWithContext, type RequestContext } from '../context/requestContext.js';
import { DomainError, TRANSIENT_KINDS } from '../errors/DomainError.js';
import { isDependencyUnavailable } from '../persistence/dependencyErrors.js';
import { PermanentError } from '../errors/PermanentError.js';
import { metrics } from '../metrics/metrics.js';
import { startWaveSpans, withConsumeSpan } from '../tracing/messagingSpans.js';
import { donePrefix, splitIntoWaves } from './waves.js';
import { DLT_HEADERS, DeadLetterPublisher } from './DeadLetterPublisher.js';
import type { ProcessedEventStore } from './ProcessedEventStore.js';
import { CONSUMER_RETRY } from './createKafka.js';
import { DEFAULT_RETRY_POLICY, backoffDelay, type RetryPolicy } from '../lifecycle/backoff.js';

export interface MessageMeta {
  topic: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

export type EventHandler<T extends EventType> = (event: DomainEvent<T>, meta: MessageMeta) => Promise<void>;

/** One event of a wave, as a wave handler gets it: parsed, validated, not processed before. */
export interface WaveEvent<T extends EventType = EventType> {
  event: DomainEvent<T>;
  meta: MessageMeta;
  /** The event's correlation context (what `on()` handlers run in). */
  context: RequestContext;
  /**
   * Runs per-event work inside the event's correlation context and consume span, as an `on()` handler
   * runs: events it writes carry the event's correlation id and continue its trace.
   */
  run<R>(work: () => Promise<R>): Promise<R>;
}

/**
 * What a wave handler resolves to: nothing when every event applied, or per event (same index) `undefined`
 * when it applied and the error it failed with when not (a failed event's effects must not be applied, or be
 * idempotent on redelivery). A handler that throws failed the whole call; the kit then retries its events one
 * at a time, so one poisoned event cannot take the others to the DLT.
 */
export type WaveOutcomes = ReadonlyArray<unknown>;

export type WaveHandler<T extends EventType> = (events: ReadonlyArray<WaveEvent<T>>) => Promise<WaveOutcomes | void>;

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

/** A valid event of the wave in hand, with what its handling needs. */
interface Candidate {
  index: number;
  message: KafkaMessage;
  event: DomainEvent;
  eventType: EventType;
  meta: MessageMeta;
  context: RequestContext;
  log: Logger;
}

/** A registered handler: applies some events of one wave, resolving to one error (or undefined) per event. */
interface Registration {
  apply(topic: string, partition: number, items: readonly Candidate[], heartbeat: () => Promise<void>): Promise<unknown[]>;
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));
const isOutage = (err: unknown): boolean => (err instanceof DomainError && err.kind === 'unavailable') || isDependencyUnavailable(err);

/**
 * The one Kafka consumer loop of the platform (SPEC §5). A fetched batch is split into per-key waves
 * (wave i holds the i-th message of every key), so each order's events apply in order while one
 * handler call applies a whole wave. Per wave: parse and validate every envelope (an invalid one goes
 * to the DLT); skip unknown event types and dead letters replayed for another group; skip events
 * already processed (one lookup per batch); run the handlers, each event inside its correlation
 * context and consume span; record the applied events as processed in one write; only then resolve
 * the offset of the fully applied prefix of the partition, so a commit never runs ahead of durable
 * effects. A transiently failing event does not block the loop: its key's later waves wait, the
 * partition is paused and resumed after a backoff (other partitions go on, heartbeats continue, no
 * rebalance), and everything from the failed message on is fetched again (what was applied since is
 * skipped as a duplicate). Permanent failures and exhausted retries go to the DLT.
 */
export class ReliableConsumer {
  private readonly consumer: Consumer;
  private readonly handlers = new Map<string, Registration>();
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
      retry: CONSUMER_RETRY,
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

  /** A per-event handler: the events of a wave are handled one after another, each in its own context and span. */
  on<T extends EventType>(eventType: T, handler: EventHandler<T>): this {
    this.handlers.set(eventType, {
      apply: async (topic, partition, items, heartbeat) => {
        const errors: unknown[] = [];
        for (const item of items) {
          if (errors.length > 0) await heartbeat(); // sent only once its interval has passed
          try {
            await withConsumeSpan(topic, partition, item.message, () =>
              runWithContext(item.context, () => handler(item.event as DomainEvent<T>, item.meta)),
            );
            errors.push(undefined);
          } catch (err) {
            errors.push(asError(err));
          }
        }
        return errors;
      },
    });
    return this;
  }

  /** A wave handler for these event types: one call per wave with all of the wave's events of these types. */
  onBatch<T extends EventType>(eventTypes: readonly T[], handler: WaveHandler<T>): this {
    const registration: Registration = {
      apply: async (topic, partition, items, heartbeat) => {
        const spans = startWaveSpans(
          topic,
          partition,
          items.map((item) => item.message),
        );
        const events = items.map(({ event, meta, context }, i) => ({
          event: event as DomainEvent<T>,
          meta,
          context,
          // A heartbeat after each event's work: a wave of slow events can outlast the session timeout
          // (kafkajs sends one only when its interval has passed, so this costs nothing in between).
          run: async <R>(work: () => Promise<R>) => {
            try {
              return await spans.runFor(i, () => runWithContext(context, work));
            } finally {
              await heartbeat();
            }
          },
        }));
        let errors: unknown[];
        try {
          const run = () => handler(events);
          const outcomes = await spans.run(() => (items.length === 1 ? runWithContext(items[0]!.context, run) : run()));
          errors = items.map((_, i) => (outcomes?.[i] === undefined ? undefined : asError(outcomes[i])));
        } catch (err) {
          errors = items.map(() => asError(err));
          spans.end(errors);
          // Which event failed is not known: apply them one at a time (the handler is idempotent, like on
          // any redelivery), so only the culprit fails. An outage fails them all alike; retry them all.
          if (items.length === 1 || isOutage(err)) return errors;
          this.log.warn({ err, topic, partition, events: items.length }, 'Wave handler failed; applying its events one at a time');
          const single: unknown[] = [];
          for (const item of items) {
            single.push(...(await registration.apply(topic, partition, [item], heartbeat)));
            await heartbeat();
          }
          return single;
        }
        spans.end(errors);
        return errors;
      },
    };
    for (const eventType of eventTypes) this.handlers.set(eventType, registration);
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

  /** Finishes the wave in hand, commits resolved offsets and leaves the group. */
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
    const entries = batch.messages.map((message) => ({ message, key: message.key?.toString() ?? '', done: false }));
    /** Keys with a message to retry: their later messages wait for the redelivery. */
    const blocked = new Set<string>();
    let retryInMs: number | undefined;
    let resolved = 0;
    for (const wave of splitIntoWaves(entries, (entry) => entry.key)) {
      if (!isRunning() || isStale()) return;
      const live = wave.filter((entry) => !blocked.has(entry.key));
      if (live.length === 0) continue;
      const outcomes = await this.applyWave(
        batch.topic,
        batch.partition,
        live.map((entry) => entry.message),
        processed,
        heartbeat,
      );
      live.forEach((entry, i) => {
        const outcome = outcomes[i]!;
        if (outcome.kind === 'done') entry.done = true;
        else {
          blocked.add(entry.key);
          retryInMs = Math.max(retryInMs ?? 0, outcome.delayMs);
        }
      });
      const prefix = donePrefix(entries, (entry) => entry.done);
      if (prefix > resolved) {
        resolved = prefix;
        const last = entries[prefix - 1]!.message;
        resolveOffset(last.offset);
        await commitOffsetsIfNecessary();
        metrics.consumerLag.set(
          { group: this.opts.groupId, topic: batch.topic, partition: String(batch.partition) },
          Math.max(0, Number(batch.highWatermark) - Number(last.offset) - 1),
        );
      }
      await heartbeat();
    }
    if (retryInMs !== undefined) pauseFor(retryInMs);
  }

  private async processedAmong(messages: KafkaMessage[]): Promise<Set<string>> {
    if (!this.opts.processedEvents) return new Set();
    const ids = messages.map((m) => m.headers?.[HEADERS.eventId]?.toString()).filter((id): id is string => id !== undefined);
    return this.opts.processedEvents.processedAmong(this.opts.groupId, ids);
  }

  /**
   * Applies one wave (messages of distinct keys): one outcome per message. `processed`: events known to be
   * processed when the batch was fetched, and those applied since.
   */
  private async applyWave(
    topic: string,
    partition: number,
    messages: KafkaMessage[],
    processed: Set<string>,
    heartbeat: () => Promise<void>,
  ): Promise<Outcome[]> {
    const outcomes: Outcome[] = messages.map(() => ({ kind: 'done' }));
    const candidates: Candidate[] = [];
    for (const [index, message] of messages.entries()) {
      const candidate = await this.prepare(topic, partition, message, index);
      if ('kind' in candidate) outcomes[index] = candidate;
      else candidates.push(candidate);
    }
    const store = this.opts.processedEvents;
    const group = this.opts.groupId;

    // The batch's lookup went by the eventId header; an event whose header is missing or differs is looked up now.
    const unchecked = candidates.filter(
      (c) => c.message.headers?.[HEADERS.eventId]?.toString() !== c.event.eventId && !processed.has(c.event.eventId),
    );
    let lookupFailed: { error: unknown; of: Set<Candidate> } | undefined;
    if (store && unchecked.length > 0) {
      try {
        for (const id of await store.processedAmong(
          group,
          unchecked.map((c) => c.event.eventId),
        ))
          processed.add(id);
      } catch (error) {
        lookupFailed = { error, of: new Set(unchecked) };
      }
    }

    const fresh: Candidate[] = [];
    /** The same event twice in one wave (on two keys): the copy shares the first one's outcome. */
    const copies: Array<{ copy: Candidate; of: Candidate }> = [];
    const firstOf = new Map<string, Candidate>();
    for (const c of candidates) {
      if (lookupFailed?.of.has(c)) {
        outcomes[c.index] = await this.failed(topic, partition, c, lookupFailed.error);
        continue;
      }
      const first = firstOf.get(c.event.eventId);
      if (store && (processed.has(c.event.eventId) || first)) {
        if (first) copies.push({ copy: c, of: first });
        else this.duplicate(topic, c);
        continue;
      }
      firstOf.set(c.event.eventId, c);
      fresh.push(c);
    }

    // Each handler once for its events of this wave.
    const byRegistration = new Map<Registration, Candidate[]>();
    for (const c of fresh) {
      const registration = this.handlers.get(c.eventType)!;
      byRegistration.set(registration, [...(byRegistration.get(registration) ?? []), c]);
    }
    const errors = new Map<Candidate, unknown>();
    for (const [registration, items] of byRegistration) {
      // Inside a wave the heartbeat is best effort: a rebalance is noticed between waves, after the wave's events are recorded.
      const result = await registration.apply(topic, partition, items, () => heartbeat().catch(() => undefined));
      items.forEach((c, i) => {
        if (result[i] !== undefined) errors.set(c, result[i]);
      });
    }
    const applied = fresh.filter((c) => !errors.has(c));
    if (store && applied.length > 0) {
      try {
        await store.recordMany(
          group,
          applied.map((c) => ({ eventId: c.event.eventId, eventType: c.eventType })),
        );
      } catch (err) {
        // Applied but not recorded: retried like a failure (the handlers are idempotent on redelivery).
        for (const c of applied) errors.set(c, asError(err));
      }
    }
    for (const c of fresh) {
      if (errors.has(c)) {
        outcomes[c.index] = await this.failed(topic, partition, c, errors.get(c));
        continue;
      }
      processed.add(c.event.eventId);
      this.attempts.delete(`${topic}/${partition}/${c.message.offset}`);
      metrics.eventsConsumed.inc({ topic, event_type: c.eventType });
      c.log.debug('Event handled');
    }
    for (const { copy, of } of copies) {
      outcomes[copy.index] = outcomes[of.index]!;
      if (outcomes[of.index]!.kind === 'done') this.duplicate(topic, copy);
    }
    return outcomes;
  }

  private duplicate(topic: string, c: Candidate): void {
    metrics.eventsDuplicate.inc({ topic, event_type: c.eventType });
    c.log.info('Duplicate event skipped');
  }

  /** Parses one message: a candidate for its handler, or already an outcome (skipped, dead-lettered). */
  private async prepare(topic: string, partition: number, message: KafkaMessage, index: number): Promise<Candidate | Outcome> {
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
    const context: RequestContext = {
      correlationId: event.correlationId,
      causationId: event.eventId,
      traceparent: childTraceparent(headers[HEADERS.traceparent]),
    };
    return { index, message, event, eventType: event.eventType, meta, context, log };
  }

  /** A failed event: dead-lettered when the failure is permanent or its attempts are used up, else retried after a backoff. */
  private async failed(topic: string, partition: number, c: Candidate, err: unknown): Promise<Outcome> {
    const error = asError(err);
    const attemptKey = `${topic}/${partition}/${c.message.offset}`;
    const attempt = (this.attempts.get(attemptKey) ?? 0) + 1;
    metrics.eventsFailed.inc({ topic, event_type: c.eventType, error_class: error.name });
    // A refusal (invalid, not found, conflict, …) will not change on retry; an unavailable dependency may.
    const permanent = error instanceof PermanentError || (error instanceof DomainError && !TRANSIENT_KINDS.has(error.kind));
    // An outage is nobody's fault in the message: it is retried (with backoff) for as long as
    // the outage lasts, never dead-lettered for running out of attempts.
    if (permanent || (!isOutage(error) && attempt >= this.retry.maxAttempts)) {
      this.attempts.delete(attemptKey);
      return this.deadLetter(topic, partition, c.message, { name: error.name, message: error.message }, attempt, c.eventType, c.log);
    }
    this.attempts.set(attemptKey, attempt);
    const delayMs = backoffDelay(this.retry, attempt);
    c.log.warn({ err: error, attempt, retryInMs: delayMs }, 'Handler failed; retrying after backoff');
    return { kind: 'retry', delayMs };
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

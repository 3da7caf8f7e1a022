import { randomUUID } from 'node:crypto';
import type { Message, Producer } from 'kafkajs';
import type { Model } from 'mongoose';
import type { Logger } from 'pino';
import { PayloadTooLargeError } from '../errors/DomainError.js';
import { backoffDelay, sleep } from '../lifecycle/backoff.js';
import { metrics } from '../metrics/metrics.js';
import { trusted as op } from '../persistence/mongo.js';
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES, RECORD_BATCH_OVERHEAD_BYTES, recordBytes } from './messageSize.js';
import { outsideAnyTrace, startPublishSpans } from '../tracing/messagingSpans.js';
import type { OutboxEntry } from './outboxSchema.js';
import { classifyPublishFailure, failureReason } from './publishFailure.js';

export interface OutboxRelayOptions {
  /** Names this instance in leases; unique per process. */
  owner?: string;
  /** How long a writer or poller owns a document's pending events before another instance may take them. */
  leaseMs?: number;
  /** The recovery poll: finds events whose writer died or whose lease ran out. */
  pollIntervalMs?: number;
  /**
   * The poll's pace once it keeps finding nothing to recover (after the first two lease periods): each
   * poll is a query over every outbox collection, a full scan on a server without that index.
   */
  idlePollIntervalMs?: number;
  /** Documents read per round. */
  batchSize?: number;
  /** Longest wait between attempts while Kafka is unreachable. */
  maxBackoffMs?: number;
  /** Longest wait at stop() for a round in flight (e.g. stuck in retries while Kafka is down). */
  stopTimeoutMs?: number;
  /** Re-creates missing topics (one deleted while the service runs); called when a send finds no metadata. */
  provisionTopics?: () => Promise<void>;
}

interface PendingDoc {
  _id: unknown;
  outbox?: OutboxEntry[];
}

type AnyModel = Model<unknown>;

/** A document read for a round, with the collection it came from. */
interface RoundDoc {
  name: string;
  model: AnyModel;
  doc: PendingDoc;
}

/** How many acknowledged event ids the relay remembers (see rememberAcknowledged). */
const ACKNOWLEDGED_REMEMBERED = 10_000;

/**
 * A woken document. `pending` is its whole outbox as the write that woke the relay left it (the new
 * document's entries, or the outbox an update returned atomically): published without reading the
 * document again, if still fresh at the round. Without it, the round reads the document.
 */
interface Queued {
  id: unknown;
  pending?: OutboxEntry[];
  at: number;
}

/** A producer, or how to make a new one: a new producer id is the only way out of a broken sequence. */
export type ProducerSource = Producer | (() => Producer);

/** Called after each successful publish, with the entries Kafka acknowledged (used by tests and benchmarks). */
export type PublishedListener = (entries: OutboxEntry[], ackedAt: number) => void;

/**
 * Publishes outbox entries (SPEC §5). A committed write wakes it at once; one loop per process
 * reads the woken documents, sends their events in order with the idempotent producer (acks=all,
 * key = orderId), then removes them from the documents. Rounds never overlap, so a document's
 * events go out in write order and an entry is re-sent only if the process died between the send
 * and the removal (consumers deduplicate by eventId).
 *
 * No entry and no round blocks the others: a round is cut into sends that stay well inside each
 * topic's message size limit (read from the broker); a send the broker refuses is split until the
 * refused document stands alone, and that document is parked — its events stay in it, counted and
 * logged, and are skipped until an operator clears `outboxParkedAt` — while the rest flow on.
 */
export class OutboxRelay {
  readonly owner: string;
  readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly idlePollIntervalMs: number;
  /** Until then the poll runs at its fast pace: a dead predecessor's leases run out in this window. */
  private fastPollUntil = 0;
  /** Whether the last poll saw pending documents (its own or leased to others) or failed. */
  private lastPollSawWork = true;
  private readonly batchSize: number;
  private readonly maxBackoffMs: number;
  private readonly stopTimeoutMs: number;
  private readonly models = new Map<string, AnyModel>();
  /** Woken documents per collection, in wake order: each with its outbox when the writer handed it over. */
  private readonly queue = new Map<string, Map<string, Queued>>();
  private readonly listeners: PublishedListener[] = [];
  /** Event ids acknowledged lately, oldest first (see rememberAcknowledged). */
  private readonly acknowledged = new Set<string>();
  /** `max.message.bytes` per topic, as the broker reported it. */
  private readonly topicLimits = new Map<string, number>();
  private producer: Producer;
  /** Whether this relay connects (and replaces) its producer itself. */
  private readonly ownsProducer: boolean;
  private producerConnected: boolean;
  private draining: Promise<void> | undefined;
  private provisioning: Promise<void> | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly producerSource: ProducerSource,
    private readonly log: Logger,
    private readonly opts: OutboxRelayOptions = {},
  ) {
    this.owner = opts.owner ?? `relay-${randomUUID()}`;
    this.leaseMs = opts.leaseMs ?? 10_000;
    this.pollIntervalMs = opts.pollIntervalMs ?? 1_000;
    this.idlePollIntervalMs = Math.max(this.pollIntervalMs, opts.idlePollIntervalMs ?? 10_000);
    this.batchSize = opts.batchSize ?? 500;
    this.maxBackoffMs = opts.maxBackoffMs ?? 5_000;
    this.stopTimeoutMs = opts.stopTimeoutMs ?? 3_000;
    this.ownsProducer = typeof producerSource === 'function';
    this.producer = typeof producerSource === 'function' ? producerSource() : producerSource;
    this.producerConnected = !this.ownsProducer;
  }

  /** The collections whose documents carry an outbox (the recovery poll scans them). */
  register<T>(model: Model<T>): this {
    this.models.set(model.collection.collectionName, model as unknown as AnyModel);
    return this;
  }

  onPublished(listener: PublishedListener): void {
    this.listeners.push(listener);
  }

  /** The broker's per-topic size limits (`max.message.bytes`); until set, Kafka's default is assumed. */
  setTopicLimits(limits: Record<string, number>): void {
    for (const [topic, bytes] of Object.entries(limits)) this.topicLimits.set(topic, bytes);
  }

  maxMessageBytes(topic: string): number {
    return this.topicLimits.get(topic) ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
  }

  /**
   * Refuses, before anything is written, an event that no broker send could ever carry: the write
   * would succeed and the event would be parked for good (the API answers 413 instead).
   */
  assertPublishable(entries: OutboxEntry[]): void {
    for (const entry of entries) {
      const bytes = recordBytes(entry);
      if (!this.fitsAlone(entry.topic, bytes)) {
        const limit = this.maxMessageBytes(entry.topic);
        const total = bytes + RECORD_BATCH_OVERHEAD_BYTES;
        throw new PayloadTooLargeError(
          'EVENT.TOO_LARGE',
          `The ${entry.eventType} event would be ${total} bytes; topic ${entry.topic} accepts at most ${limit}`,
          { eventType: entry.eventType, bytes: total, limit },
        );
      }
    }
  }

  /** Whether a record of `bytes` (see recordBytes) fits a batch of its own on `topic`. */
  private fitsAlone(topic: string, bytes: number): boolean {
    return bytes + RECORD_BATCH_OVERHEAD_BYTES <= this.maxMessageBytes(topic);
  }

  /**
   * Starts the recovery poll: every `pollIntervalMs` for the first two lease periods (a crashed
   * predecessor's leases run out then) and while it finds pending documents, every
   * `idlePollIntervalMs` while it keeps finding none.
   */
  start(): void {
    this.stopped = false;
    this.fastPollUntil = Date.now() + 2 * this.leaseMs;
    const tick = (): void => {
      const fast = this.lastPollSawWork || Date.now() < this.fastPollUntil;
      this.pollTimer = setTimeout(
        () => {
          void this.recover().finally(() => {
            if (!this.stopped) tick();
          });
        },
        fast ? this.pollIntervalMs : this.idlePollIntervalMs,
      );
      this.pollTimer.unref();
    };
    tick();
    void this.recover();
  }

  /**
   * Stops polling and publishes what is already queued, waiting at most `stopTimeoutMs` for a round
   * in flight: what is not published by then stays in the outbox (the lease runs out and the next
   * instance, or this one restarted, publishes it).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    const flush = (async () => {
      await this.draining;
      if (this.pending() > 0 && this.failures === 0) await this.drain();
    })();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.stopTimeoutMs)));
    const result = await Promise.race([flush.then(() => 'flushed' as const), timedOut]);
    clearTimeout(timer);
    if (result === 'timeout')
      this.log.warn(
        { pendingDocuments: this.pending() },
        'Outbox not flushed before shutdown; the events stay in the outbox for the next start',
      );
    if (this.ownsProducer) await this.producer.disconnect().catch(() => undefined);
  }

  /**
   * Publishes the document's events soon. `pending`, when given, must be the document's whole outbox
   * as the write just committed it, read atomically with the write (see Outbox.committed).
   */
  wake<T>(model: Model<T>, id: unknown, pending?: OutboxEntry[]): void {
    const name = model.collection.collectionName;
    if (!this.models.has(name)) this.register(model);
    this.enqueue(name, id, pending);
    void this.drain();
  }

  /**
   * A newer write's outbox replaces the older one queued for the same document (it holds every entry
   * still pending then). A wake without one (the recovery poll, a failed round's retry) means the
   * round must read the document, and it stays so until that round.
   */
  private enqueue(name: string, id: unknown, pending?: OutboxEntry[]): void {
    let docs = this.queue.get(name);
    if (!docs) this.queue.set(name, (docs = new Map()));
    const key = String(id);
    const queued = docs.get(key);
    const fromMemory = pending !== undefined && (queued === undefined || queued.pending !== undefined);
    docs.set(key, { id, at: Date.now(), ...(fromMemory ? { pending } : {}) });
  }

  /**
   * Remembers the last acknowledged event ids (oldest forgotten first). A write that committed just
   * before a round removed its document's earlier entries hands over an outbox that still lists them:
   * they are left out of the memory path's sends instead of going out twice.
   */
  private rememberAcknowledged(entries: OutboxEntry[]): void {
    for (const { eventId } of entries) this.acknowledged.add(eventId);
    for (const eventId of this.acknowledged) {
      if (this.acknowledged.size <= ACKNOWLEDGED_REMEMBERED) break;
      this.acknowledged.delete(eventId);
    }
  }

  private pending(): number {
    let n = 0;
    for (const ids of this.queue.values()) n += ids.size;
    return n;
  }

  /** One drain loop at a time; a wake during a round is picked up by the next round. */
  private drain(): Promise<void> {
    this.draining ??= outsideAnyTrace(() => this.drainLoop()).finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async drainLoop(): Promise<void> {
    while (this.pending() > 0) {
      try {
        await this.publishRound(this.takeRound());
        this.failures = 0;
      } catch (err) {
        this.failures += 1;
        const delay = backoffDelay({ baseDelayMs: 200, maxDelayMs: this.maxBackoffMs }, this.failures);
        this.log.warn({ err, attempt: this.failures, retryInMs: delay }, 'Outbox publish failed; will retry');
        if (this.stopped) return;
        await sleep(delay);
      }
    }
  }

  private takeRound(): Map<string, Queued[]> {
    const round = new Map<string, Queued[]>();
    let budget = this.batchSize;
    for (const [name, docs] of this.queue) {
      const taken: Queued[] = [];
      for (const [key, queued] of docs) {
        if (budget-- <= 0) break;
        taken.push(queued);
        docs.delete(key);
      }
      if (taken.length > 0) round.set(name, taken);
      if (docs.size === 0) this.queue.delete(name);
    }
    return round;
  }

  /** Reads the round's documents and publishes them in size-bounded sends; on a failure the unsent rest is queued again. */
  private async publishRound(round: Map<string, Queued[]>): Promise<void> {
    let docs: RoundDoc[];
    try {
      docs = await this.readRound(round);
    } catch (err) {
      for (const [name, queued] of round) for (const { id } of queued) this.enqueue(name, id);
      throw err;
    }
    const { sends, unpublishable } = this.cutIntoSends(docs);
    try {
      // An event no send could ever carry: parked without trying, so it cannot fail the rest.
      for (const rd of unpublishable) await this.park(rd, 'MESSAGE_TOO_LARGE');
    } catch (err) {
      for (const { name, doc } of docs) this.enqueue(name, doc._id);
      throw err;
    }
    for (let i = 0; i < sends.length; i++) {
      try {
        await this.publishOrIsolate(sends[i]!);
      } catch (err) {
        for (const rest of sends.slice(i)) for (const { name, doc } of rest) this.enqueue(name, doc._id);
        throw err;
      }
    }
  }

  /**
   * The round's documents: those whose outbox the writer handed over, as it was, while that is well
   * inside the writer's lease (no other instance can have published them meanwhile); the rest read,
   * in one query per collection.
   */
  private async readRound(round: Map<string, Queued[]>): Promise<RoundDoc[]> {
    const docs: RoundDoc[] = [];
    const freshSince = Date.now() - this.leaseMs / 2;
    for (const [name, queued] of round) {
      const model = this.models.get(name)!;
      const toRead: unknown[] = [];
      for (const { id, pending, at } of queued) {
        if (pending === undefined || at < freshSince) toRead.push(id);
        else {
          const outbox = pending.filter((e) => !this.acknowledged.has(e.eventId));
          if (outbox.length > 0) docs.push({ name, model, doc: { _id: id, outbox } });
        }
      }
      if (toRead.length === 0) continue;
      const found = await model
        .find({ _id: op({ $in: toRead }), 'outbox.createdAt': op({ $lte: new Date() }), outboxParkedAt: null }, { outbox: 1 })
        .lean<PendingDoc[]>();
      for (const doc of found) if (doc.outbox && doc.outbox.length > 0) docs.push({ name, model, doc });
    }
    return docs;
  }

  /**
   * Groups documents into sends whose bytes per topic stay within half the topic's limit (every
   * partition's batch is then inside it too). A document's events always travel in one send, in
   * order; a document larger than the budget goes alone, and one with an event no send can carry
   * is parked without trying.
   */
  private cutIntoSends(docs: RoundDoc[]): { sends: RoundDoc[][]; unpublishable: RoundDoc[] } {
    const sends: RoundDoc[][] = [];
    const unpublishable: RoundDoc[] = [];
    let current: RoundDoc[] = [];
    let bytes = new Map<string, number>();
    for (const rd of docs) {
      const own = new Map<string, number>();
      let carriable = true;
      for (const entry of rd.doc.outbox!) {
        const b = recordBytes(entry);
        carriable &&= this.fitsAlone(entry.topic, b);
        own.set(entry.topic, (own.get(entry.topic) ?? 0) + b);
      }
      if (!carriable) {
        unpublishable.push(rd);
        continue;
      }
      const fits = [...own].every(([topic, b]) => (bytes.get(topic) ?? 0) + b <= this.maxMessageBytes(topic) / 2);
      if (!fits && current.length > 0) {
        sends.push(current);
        current = [];
        bytes = new Map();
      }
      current.push(rd);
      for (const [topic, b] of own) bytes.set(topic, (bytes.get(topic) ?? 0) + b);
    }
    if (current.length > 0) sends.push(current);
    return { sends, unpublishable };
  }

  /** Sends; a send the broker refuses is halved until the refused document is alone, and parked. */
  private async publishOrIsolate(docs: RoundDoc[]): Promise<void> {
    try {
      await this.send(docs);
    } catch (err) {
      // A failed produce request leaves kafkajs' sequence numbers rolled back for every partition in
      // it, including partitions the broker did write: the next send could be refused as out of
      // order, or taken for a duplicate and silently dropped. A new producer id starts clean.
      await this.resetProducer();
      const kind = classifyPublishFailure(err);
      if (kind === 'missing-topic') this.reprovision();
      if (kind !== 'rejected') throw err;
      if (docs.length === 1) {
        await this.park(docs[0]!, failureReason(err));
        return;
      }
      const half = Math.ceil(docs.length / 2);
      await this.publishOrIsolate(docs.slice(0, half));
      await this.publishOrIsolate(docs.slice(half));
    }
  }

  private async send(docs: RoundDoc[]): Promise<void> {
    const entries = docs.flatMap(({ doc }) => doc.outbox!);
    const spans = startPublishSpans(entries);
    const byTopic = new Map<string, Message[]>();
    for (const entry of entries) {
      const messages = byTopic.get(entry.topic) ?? [];
      messages.push({ key: entry.key, value: entry.value, headers: spans.headers(entry) });
      byTopic.set(entry.topic, messages);
    }
    if (!this.producerConnected) {
      await this.producer.connect();
      this.producerConnected = true;
    }
    await spans.around(
      this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) }),
    );
    const ackedAt = Date.now();

    await this.acknowledge(docs);
    this.rememberAcknowledged(entries);
    for (const entry of entries) {
      metrics.eventsPublished.inc({ topic: entry.topic, event_type: entry.eventType });
      metrics.publishLatency.observe({ topic: entry.topic }, (ackedAt - new Date(entry.createdAt).getTime()) / 1000);
    }
    for (const listener of this.listeners) listener(entries, ackedAt);
  }

  /** Re-creates missing topics in the background (one attempt at a time): admin calls never hold up the publish loop. */
  private reprovision(): void {
    if (!this.opts.provisionTopics || this.provisioning) return;
    this.provisioning = this.opts
      .provisionTopics()
      .catch((e: unknown) => this.log.warn({ err: e }, 'Could not re-create missing topics; will try again'))
      .finally(() => {
        this.provisioning = undefined;
      });
  }

  private async resetProducer(): Promise<void> {
    if (!this.ownsProducer) return;
    const old = this.producer;
    this.producer = (this.producerSource as () => Producer)();
    this.producerConnected = false;
    await old.disconnect().catch(() => undefined);
  }

  /** Keeps the document's events where they are, out of every round, and says so loudly. */
  private async park({ name, model, doc }: RoundDoc, reason: string): Promise<void> {
    const entries = doc.outbox ?? [];
    await model.updateOne(
      { _id: doc._id },
      { $set: { outboxParkedAt: new Date(), outboxParkedReason: reason, outboxLeaseUntil: null, outboxLeaseOwner: null } },
    );
    metrics.outboxParked.inc({ collection: name, reason });
    this.log.error(
      {
        collection: name,
        documentId: String(doc._id),
        orderId: entries[0]?.key,
        eventIds: entries.map((e) => e.eventId),
        eventTypes: entries.map((e) => e.eventType),
        bytes: entries.map((e) => recordBytes(e)),
        reason,
      },
      'Outbox events cannot be published; parked in their document (clear outboxParkedAt to retry) while the others flow',
    );
  }

  /** Removes exactly the published entries; events appended meanwhile stay for the next round. */
  private async acknowledge(docs: RoundDoc[]): Promise<void> {
    const byModel = new Map<AnyModel, PendingDoc[]>();
    for (const { model, doc } of docs) byModel.set(model, [...(byModel.get(model) ?? []), doc]);
    await Promise.all(
      [...byModel].map(([model, modelDocs]) =>
        model.bulkWrite(
          modelDocs.map((doc) => ({
            updateOne: {
              filter: { _id: doc._id },
              update: {
                $pull: { outbox: { eventId: op({ $in: (doc.outbox ?? []).map((e) => e.eventId) }) } },
                $set: { outboxLeaseUntil: null, outboxLeaseOwner: null },
              },
            },
          })) as never,
          { ordered: false },
        ),
      ),
    );
  }

  /**
   * Recovery: take over documents whose events were never published (the writer died, or Kafka was
   * down longer than the lease). The conditional lease update means two pollers never take the same
   * document at once.
   */
  private async recover(): Promise<void> {
    if (this.stopped) return;
    let sawWork = false;
    try {
      for (const [name, model] of this.models) {
        const now = new Date();
        const waiting = { 'outbox.createdAt': op({ $lte: now }), outboxParkedAt: null };
        // One query finds the pending documents (the backlog metric) and, among them, those free to take.
        const pending = await model
          .find(waiting, { _id: 1, outboxLeaseUntil: 1, outboxLeaseOwner: 1 })
          .limit(this.batchSize)
          .lean<Array<{ _id: unknown; outboxLeaseUntil?: Date | null; outboxLeaseOwner?: string | null }>>();
        const backlog = pending.length < this.batchSize ? pending.length : await model.countDocuments(waiting);
        metrics.outboxBacklog.set({ collection: name }, backlog);
        // Documents this relay is publishing itself are no reason to poll fast; anyone else's are.
        if (pending.some((doc) => doc.outboxLeaseOwner !== this.owner)) sawWork = true;
        const candidates = pending.filter((doc) => !doc.outboxLeaseUntil || doc.outboxLeaseUntil < now);
        if (candidates.length === 0) continue;
        const free = { $or: [{ outboxLeaseUntil: null }, { outboxLeaseUntil: op({ $lt: now }) }] };
        await model.updateMany(
          { _id: op({ $in: candidates.map((c) => c._id) }), ...free },
          { $set: { outboxLeaseUntil: new Date(Date.now() + this.leaseMs), outboxLeaseOwner: this.owner } },
        );
        const won = await model
          .find({ _id: op({ $in: candidates.map((c) => c._id) }), outboxLeaseOwner: this.owner }, { _id: 1 })
          .lean<Array<{ _id: unknown }>>();
        if (won.length > 0) this.log.info({ collection: name, documents: won.length }, 'Outbox relay recovering unpublished events');
        for (const doc of won) this.enqueue(name, doc._id);
      }
      if (this.pending() > 0) await this.drain();
    } catch (err) {
      sawWork = true;
      this.log.warn({ err }, 'Outbox recovery poll failed; will retry');
    }
    this.lastPollSawWork = sawWork;
  }
}

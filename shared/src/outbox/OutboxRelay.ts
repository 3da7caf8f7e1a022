import { randomUUID } from 'node:crypto';
import type { Message, Producer } from 'kafkajs';
import type { Model } from 'mongoose';
import type { Logger } from 'pino';
import { metrics } from '../metrics/metrics.js';
import { trusted as op } from '../persistence/mongo.js';
import { outsideAnyTrace, startPublishSpans } from '../tracing/messagingSpans.js';
import type { OutboxEntry } from './outboxSchema.js';

export interface OutboxRelayOptions {
  /** Names this instance in leases; unique per process. */
  owner?: string;
  /** How long a writer or poller owns a document's pending events before another instance may take them. */
  leaseMs?: number;
  /** The recovery poll: finds events whose writer died or whose lease ran out. */
  pollIntervalMs?: number;
  /** Documents read and published per round. */
  batchSize?: number;
  /** Longest wait between attempts while Kafka is unreachable. */
  maxBackoffMs?: number;
}

interface PendingDoc {
  _id: unknown;
  outbox?: OutboxEntry[];
}

type AnyModel = Model<unknown>;


/** Called after each successful publish, with the entries Kafka acknowledged (used by tests and benchmarks). */
export type PublishedListener = (entries: OutboxEntry[], ackedAt: number) => void;

/**
 * Publishes outbox entries (SPEC §5). A committed write wakes it at once; one loop per process
 * reads the woken documents, sends their events in order with the idempotent producer (acks=all,
 * key = orderId), then removes them from the documents. Rounds never overlap, so a document's
 * events go out in write order and an entry is re-sent only if the process died between the send
 * and the removal (consumers deduplicate by eventId).
 */
export class OutboxRelay {
  readonly owner: string;
  readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxBackoffMs: number;
  private readonly models = new Map<string, AnyModel>();
  /** Woken document ids per collection, in wake order. */
  private readonly queue = new Map<string, Map<string, unknown>>();
  private readonly listeners: PublishedListener[] = [];
  private draining: Promise<void> | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly producer: Producer,
    private readonly log: Logger,
    opts: OutboxRelayOptions = {},
  ) {
    this.owner = opts.owner ?? `relay-${randomUUID()}`;
    this.leaseMs = opts.leaseMs ?? 10_000;
    this.pollIntervalMs = opts.pollIntervalMs ?? 1_000;
    this.batchSize = opts.batchSize ?? 500;
    this.maxBackoffMs = opts.maxBackoffMs ?? 5_000;
  }

  /** The collections whose documents carry an outbox (the recovery poll scans them). */
  register<T>(model: Model<T>): this {
    this.models.set(model.collection.collectionName, model as unknown as AnyModel);
    return this;
  }

  onPublished(listener: PublishedListener): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.stopped = false;
    const tick = (): void => {
      this.pollTimer = setTimeout(() => {
        void this.recover().finally(() => {
          if (!this.stopped) tick();
        });
      }, this.pollIntervalMs);
      this.pollTimer.unref();
    };
    tick();
    void this.recover();
  }

  /** Stops polling and publishes what is already queued (bounded by the caller's shutdown timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    await this.draining;
    if (this.pending() > 0 && this.failures === 0) await this.drain();
  }

  wake<T>(model: Model<T>, id: unknown): void {
    const name = model.collection.collectionName;
    if (!this.models.has(name)) this.register(model);
    let ids = this.queue.get(name);
    if (!ids) this.queue.set(name, (ids = new Map()));
    ids.set(String(id), id);
    void this.drain();
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
      const round = this.takeRound();
      try {
        await this.publishRound(round);
        this.failures = 0;
      } catch (err) {
        this.requeue(round);
        this.failures += 1;
        const delay = Math.min(this.maxBackoffMs, 100 * 2 ** Math.min(this.failures, 10)) * (0.5 + Math.random() / 2);
        this.log.warn({ err, attempt: this.failures, retryInMs: Math.round(delay) }, 'Outbox publish failed; will retry');
        if (this.stopped) return;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private takeRound(): Map<string, unknown[]> {
    const round = new Map<string, unknown[]>();
    let budget = this.batchSize;
    for (const [name, ids] of this.queue) {
      const taken: unknown[] = [];
      for (const [key, id] of ids) {
        if (budget-- <= 0) break;
        taken.push(id);
        ids.delete(key);
      }
      if (taken.length > 0) round.set(name, taken);
      if (ids.size === 0) this.queue.delete(name);
    }
    return round;
  }

  private requeue(round: Map<string, unknown[]>): void {
    for (const [name, ids] of round) {
      const model = this.models.get(name);
      if (model) for (const id of ids) this.wakeQuietly(name, id);
    }
  }

  private wakeQuietly(name: string, id: unknown): void {
    let ids = this.queue.get(name);
    if (!ids) this.queue.set(name, (ids = new Map()));
    ids.set(String(id), id);
  }

  private async publishRound(round: Map<string, unknown[]>): Promise<void> {
    const docs: Array<{ model: AnyModel; doc: PendingDoc }> = [];
    for (const [name, ids] of round) {
      const model = this.models.get(name)!;
      const found = await model.find({ _id: op({ $in: ids }), 'outbox.createdAt': op({ $lte: new Date() }) }, { outbox: 1 }).lean<PendingDoc[]>();
      for (const doc of found) docs.push({ model, doc });
    }
    const entries = docs.flatMap(({ doc }) => doc.outbox ?? []);
    if (entries.length === 0) return;

    const spans = startPublishSpans(entries);
    const byTopic = new Map<string, Message[]>();
    for (const entry of entries) {
      const messages = byTopic.get(entry.topic) ?? [];
      messages.push({ key: entry.key, value: entry.value, headers: spans.headers(entry) });
      byTopic.set(entry.topic, messages);
    }
    await spans.around(this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) }));
    const ackedAt = Date.now();

    await this.acknowledge(docs);
    for (const entry of entries) {
      metrics.eventsPublished.inc({ topic: entry.topic, event_type: entry.eventType });
      metrics.publishLatency.observe({ topic: entry.topic }, (ackedAt - new Date(entry.createdAt).getTime()) / 1000);
    }
    for (const listener of this.listeners) listener(entries, ackedAt);
  }

  /** Removes exactly the published entries; events appended meanwhile stay for the next round. */
  private async acknowledge(docs: Array<{ model: AnyModel; doc: PendingDoc }>): Promise<void> {
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
    try {
      for (const [name, model] of this.models) {
        const now = new Date();
        // One query finds the pending documents (the backlog metric) and, among them, those free to take.
        const pending = await model
          .find({ 'outbox.createdAt': op({ $lte: now }) }, { _id: 1, outboxLeaseUntil: 1 })
          .limit(this.batchSize)
          .lean<Array<{ _id: unknown; outboxLeaseUntil?: Date | null }>>();
        const backlog = pending.length < this.batchSize ? pending.length : await model.countDocuments({ 'outbox.createdAt': op({ $lte: now }) });
        metrics.outboxBacklog.set({ collection: name }, backlog);
        const candidates = pending.filter((doc) => !doc.outboxLeaseUntil || doc.outboxLeaseUntil < now);
        if (candidates.length === 0) continue;
        const free = { $or: [{ outboxLeaseUntil: null }, { outboxLeaseUntil: op({ $lt: now }) }] };
        await model.updateMany(
          { _id: op({ $in: candidates.map((c) => c._id) }), ...free },
          { $set: { outboxLeaseUntil: new Date(Date.now() + this.leaseMs), outboxLeaseOwner: this.owner } },
        );
        const won = await model.find({ _id: op({ $in: candidates.map((c) => c._id) }), outboxLeaseOwner: this.owner }, { _id: 1 }).lean<Array<{ _id: unknown }>>();
        if (won.length > 0) this.log.info({ collection: name, documents: won.length }, 'Outbox relay recovering unpublished events');
        for (const doc of won) this.wakeQuietly(name, doc._id);
      }
      if (this.pending() > 0) await this.drain();
    } catch (err) {
      this.log.warn({ err }, 'Outbox recovery poll failed; will retry');
    }
  }
}

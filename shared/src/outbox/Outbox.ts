import type { Model, UpdateQuery } from 'mongoose';
import { serializeEvent, type DomainEvent } from '../contracts/codec.js';
import { eventHeaders } from '../contracts/headers.js';
import { EVENTS } from '../contracts/events.js';
import { currentContext } from '../context/requestContext.js';
import { traceparentForEvents } from '../tracing/messagingSpans.js';
import type { OutboxEntry, OutboxFields } from './outboxSchema.js';
import type { OutboxRelay } from './OutboxRelay.js';

/**
 * The projection for an update that carries events: the updated document with its outbox state
 * (`outbox`, `outboxParkedAt`) and without the lease, to hand to `Outbox.committed`.
 */
export const WITH_WRITTEN_OUTBOX = { outboxLeaseUntil: 0, outboxLeaseOwner: 0 } as const;

/** The Kafka key of every platform event is its orderId (per-order ordering, SPEC §4). */
const keyOf = (event: DomainEvent): string => (event.data as { orderId: string }).orderId;

/**
 * What repositories use to put events into the same write as the state change, and to tell the
 * relay right after the write commits (so publishing does not wait for the recovery poll).
 */
export class Outbox {
  constructor(
    private readonly relay: OutboxRelay,
    private readonly topicOverrides: Partial<Record<string, string>> = {},
  ) {}

  entries(events: DomainEvent[]): OutboxEntry[] {
    const parent = currentContext()?.traceparent;
    const now = new Date();
    const entries = events.map((event) => ({
      eventId: event.eventId,
      eventType: event.eventType,
      topic: this.topicOverrides[EVENTS[event.eventType].topic] ?? EVENTS[event.eventType].topic,
      key: keyOf(event),
      value: serializeEvent(event),
      headers: eventHeaders(event, traceparentForEvents(parent)),
      createdAt: now,
    }));
    this.relay.assertPublishable(entries);
    return entries;
  }

  /** Fields for a new document that carries its first events. */
  forCreate(events: DomainEvent[]): Required<Pick<OutboxFields, 'outbox' | 'outboxLeaseUntil' | 'outboxLeaseOwner'>> {
    return { outbox: this.entries(events), ...this.lease() };
  }

  /** Adds the events to an update, keeping the caller's own $set / $push. */
  withEvents<T>(update: UpdateQuery<T>, events: DomainEvent[]): UpdateQuery<T> {
    if (events.length === 0) return update;
    const u = update as Record<string, Record<string, unknown> | undefined>;
    return {
      ...update,
      $set: { ...u.$set, ...this.lease() },
      $push: { ...u.$push, outbox: { $each: this.entries(events) } },
    } as UpdateQuery<T>;
  }

  /**
   * Call once the write is committed: the relay publishes now instead of at the next poll. `written`
   * is the document's outbox as that write left it, when the writer has it: the entries of a new
   * document, or the fields an update returned with the updated document (`outbox`,
   * `outboxParkedAt`). The relay then publishes them without reading the document again; a parked
   * document's are left to the read, which skips them.
   */
  committed<T>(model: Model<T>, id: unknown, written?: Pick<OutboxFields, 'outbox' | 'outboxParkedAt'>): void {
    const handOver = written !== undefined && written.outboxParkedAt == null;
    this.relay.wake(model, id, handOver ? (written.outbox ?? []) : undefined);
  }

  /**
   * The writing instance leases the new events to itself, so another instance's recovery poll
   * leaves them alone while this one publishes them; if this instance dies, the lease runs out.
   */
  private lease(): { outboxLeaseUntil: Date; outboxLeaseOwner: string } {
    return { outboxLeaseUntil: new Date(Date.now() + this.relay.leaseMs), outboxLeaseOwner: this.relay.owner };
  }
}

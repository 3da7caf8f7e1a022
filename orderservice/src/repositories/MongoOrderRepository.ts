import type { DomainEvent } from '@orderplatform/shared/contracts';
import { WITH_WRITTEN_OUTBOX, type Outbox } from '@orderplatform/shared/outbox';
import { insertValidated, isDuplicateKeyError as isDuplicateKey, trusted as op } from '@orderplatform/shared/persistence';
import type { Model } from 'mongoose';
import { inject, injectable } from 'tsyringe';
import type { Order, TimelineEntry } from '../domain/Order.js';
import type { InsertResult, OrderRepository, PageCursor, StatusChange } from '../services/ports/OrderRepository.js';
import { TOKENS } from '../tokens.js';
import type { OrderDocument } from './models/OrderModel.js';
import { toOrder } from './toOrder.js';

/** Reads never carry the pending outbox events back out. */
const WITHOUT_OUTBOX = { outbox: 0, outboxLeaseUntil: 0, outboxLeaseOwner: 0 } as const;

@injectable()
export class MongoOrderRepository implements OrderRepository {
  constructor(
    @inject(TOKENS.OrderModel) private readonly model: Model<OrderDocument>,
    @inject(TOKENS.Outbox) private readonly outbox: Outbox,
  ) {}

  async insert(order: Order, events: DomainEvent[]): Promise<InsertResult> {
    const { id, ...fields } = order;
    const outbox = this.outbox.forCreate(events);
    try {
      // The order and its OrderPlaced are one document, one write; the request schema and the
      // domain have validated it (absent fields stay absent: the idempotencyKey index is sparse).
      await insertValidated(this.model, [{ _id: id, ...fields, ...outbox }]);
    } catch (err) {
      if (order.idempotencyKey !== undefined && isDuplicateKey(err)) return { kind: 'duplicate-idempotency-key' };
      throw err;
    }
    this.outbox.committed(this.model, id, outbox);
    return { kind: 'created', order };
  }

  async findById(id: string): Promise<Order | null> {
    const doc = await this.model.findById(id, WITHOUT_OUTBOX).lean<OrderDocument>();
    return doc ? toOrder(doc) : null;
  }

  async findByIdempotencyKey(key: string): Promise<Order | null> {
    const doc = await this.model.findOne({ idempotencyKey: key }, WITHOUT_OUTBOX).lean<OrderDocument>();
    return doc ? toOrder(doc) : null;
  }

  async changeStatus(id: string, change: StatusChange, events: DomainEvent[]): Promise<Order | null> {
    const set: Record<string, unknown> = { status: change.to, updatedAt: change.entry.at };
    if (change.cancellation) set.cancellation = change.cancellation;
    if (change.reservationId) set.reservationId = change.reservationId;
    // Conditional on the status we decided from: a concurrent change makes this match nothing.
    const doc = await this.model
      .findOneAndUpdate(
        { _id: id, status: change.from },
        this.outbox.withEvents({ $set: set, $push: { timeline: change.entry } }, events),
        // With events, the update returns the outbox it left, for the relay to publish without a read.
        { new: true, projection: events.length > 0 ? WITH_WRITTEN_OUTBOX : WITHOUT_OUTBOX },
      )
      .lean<OrderDocument>();
    if (!doc) return null;
    if (events.length > 0) this.outbox.committed(this.model, id, doc);
    return toOrder(doc);
  }

  async appendTimeline(id: string, entry: TimelineEntry): Promise<void> {
    await this.model.updateOne({ _id: id, 'timeline.eventId': op({ $ne: entry.eventId }) }, { $push: { timeline: entry } });
  }

  async listByCustomer(customerId: string, limit: number, after?: PageCursor): Promise<Order[]> {
    const filter = after
      ? { customerId, $or: [{ createdAt: op({ $lt: after.createdAt }) }, { createdAt: after.createdAt, _id: op({ $lt: after.id }) }] }
      : { customerId };
    const docs = await this.model.find(filter, WITHOUT_OUTBOX).sort({ createdAt: -1, _id: -1 }).limit(limit).lean<OrderDocument[]>();
    return docs.map(toOrder);
  }

  async findPendingCreatedBefore(cutoff: Date, limit: number): Promise<Order[]> {
    const docs = await this.model
      .find({ status: 'PENDING', createdAt: op({ $lt: cutoff }) }, WITHOUT_OUTBOX)
      .sort({ createdAt: 1 })
      .limit(limit)
      .lean<OrderDocument[]>();
    return docs.map(toOrder);
  }
}

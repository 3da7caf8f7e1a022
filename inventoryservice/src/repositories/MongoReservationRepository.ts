import { isDuplicateKeyError as isDuplicateKey, trusted as op } from '@orderplatform/shared/persistence';
import type { DomainEvent } from '@orderplatform/shared/contracts';
import { WITH_WRITTEN_OUTBOX, type Outbox } from '@orderplatform/shared/outbox';
import type { Model } from 'mongoose';
import { inject, injectable } from 'tsyringe';
import type { Reservation, ReservationStatus, StockLine } from '../domain/Reservation.js';
import type { ReservationRepository, TransitionChanges } from '../services/ports/ReservationRepository.js';
import { TOKENS } from '../tokens.js';
import type { ReservationDocument } from './models/ReservationModel.js';

const WITHOUT_OUTBOX = { outbox: 0, outboxLeaseUntil: 0, outboxLeaseOwner: 0 } as const;

const toReservation = (doc: ReservationDocument): Reservation => ({
  orderId: doc._id,
  reservationId: doc.reservationId,
  status: doc.status,
  lines: doc.lines.map(({ productId, quantity }) => ({ productId, quantity })),
  ...(doc.failure ? { failure: doc.failure } : {}),
  ...(doc.releaseReason ? { releaseReason: doc.releaseReason } : {}),
  held: (doc.held ?? []).map(({ productId, attemptId }) => ({ productId, attemptId })),
  holding: [...(doc.holding ?? [])],
  createdAt: doc.createdAt,
  updatedAt: doc.updatedAt,
});

/** Reservations in MongoDB; a status change and its events are one write (transactional outbox). */
@injectable()
export class MongoReservationRepository implements ReservationRepository {
  constructor(
    @inject(TOKENS.ReservationModel) private readonly model: Model<ReservationDocument>,
    @inject(TOKENS.Outbox) private readonly outbox: Outbox,
  ) {}

  async findByOrderId(orderId: string): Promise<Reservation | null> {
    const doc = await this.model.findById(orderId, WITHOUT_OUTBOX).lean<ReservationDocument>();
    return doc ? toReservation(doc) : null;
  }

  async findByOrderIds(orderIds: string[]): Promise<Reservation[]> {
    if (orderIds.length === 0) return [];
    const docs = await this.model.find({ _id: op({ $in: orderIds }) }, WITHOUT_OUTBOX).lean<ReservationDocument[]>();
    return docs.map(toReservation);
  }

  async findHolding(statuses: readonly ReservationStatus[]): Promise<Reservation[]> {
    // `$gt: ''` matches an array with any (non-empty) product id: an index range, unlike `holding.0` exists.
    const docs = await this.model
      .find({ status: op({ $in: [...statuses] }), holding: op({ $gt: '' }) }, WITHOUT_OUTBOX)
      .lean<ReservationDocument[]>();
    return docs.map(toReservation);
  }

  async recordGivenBack(orderId: string, productIds: string[]): Promise<void> {
    if (productIds.length === 0) return;
    await this.model.updateOne({ _id: orderId }, { $pull: { holding: op({ $in: productIds }) } });
  }

  openOrGet(orderId: string, reservationId: string, lines: StockLine[]): Promise<Reservation> {
    return this.insertOrGet(orderId, { reservationId, status: 'RESERVING', lines });
  }

  tombstoneOrGet(orderId: string, reservationId: string): Promise<Reservation> {
    return this.insertOrGet(orderId, { reservationId, status: 'CANCELLED_BEFORE_RESERVE', lines: [] });
  }

  async transition(
    orderId: string,
    from: ReservationStatus[],
    to: ReservationStatus,
    changes: TransitionChanges,
    events: DomainEvent[],
  ): Promise<Reservation | null> {
    const doc = await this.model
      .findOneAndUpdate(
        { _id: orderId, status: op({ $in: from }) },
        this.outbox.withEvents<ReservationDocument>(
          { $set: { status: to, ...changes, ...(changes.held ? { holding: changes.held.map((h) => h.productId) } : {}) } },
          events,
        ),
        // With events, the update returns the outbox it left, for the relay to publish without a read.
        { new: true, projection: events.length > 0 ? WITH_WRITTEN_OUTBOX : WITHOUT_OUTBOX },
      )
      .lean<ReservationDocument>();
    if (!doc) return null;
    if (events.length > 0) this.outbox.committed(this.model, orderId, doc);
    return toReservation(doc);
  }

  /** First write wins: a redelivered or concurrent open returns the reservation as it is. */
  private async insertOrGet(
    orderId: string,
    fields: Pick<ReservationDocument, 'reservationId' | 'status' | 'lines'>,
  ): Promise<Reservation> {
    try {
      const doc = await this.model
        .findOneAndUpdate({ _id: orderId }, { $setOnInsert: fields }, { upsert: true, new: true, projection: WITHOUT_OUTBOX })
        .lean<ReservationDocument>();
      if (doc) return toReservation(doc);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // a concurrent upsert inserted it first
    }
    const existing = await this.findByOrderId(orderId);
    if (!existing) throw new Error(`Reservation of order ${orderId} could not be opened`);
    return existing;
  }
}

import { isDuplicateKeyError as isDuplicateKey, trusted as op } from '@orderplatform/shared/persistence';
import type { DomainEvent } from '@orderplatform/shared/contracts';
import type { Outbox } from '@orderplatform/shared/outbox';
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
  ...(doc.heldBy ? { heldBy: doc.heldBy.map(({ productId, attemptId }) => ({ productId, attemptId })) } : {}),
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

  async findByOrderIdsExcept(orderIds: string[], statuses: ReservationStatus[]): Promise<Reservation[]> {
    if (orderIds.length === 0) return [];
    const docs = await this.model
      .find({ _id: op({ $in: orderIds }), status: op({ $nin: statuses }) }, WITHOUT_OUTBOX)
      .lean<ReservationDocument[]>();
    return docs.map(toReservation);
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
        this.outbox.withEvents<ReservationDocument>({ $set: { status: to, ...changes } }, events),
        {
          new: true,
          projection: WITHOUT_OUTBOX,
        },
      )
      .lean<ReservationDocument>();
    if (!doc) return null;
    if (events.length > 0) this.outbox.committed(this.model, orderId);
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

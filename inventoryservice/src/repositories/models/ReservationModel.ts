import { outboxPlugin, type OutboxFields } from '@orderplatform/shared/outbox';
import { Schema, type Connection, type Model } from 'mongoose';
import { RESERVATION_STATUSES, type HeldLine, type Reservation, type StockLine } from '../../domain/Reservation.js';

/** One per order (`_id` = orderId); its outbox carries the events its status changes cause. */
export type ReservationDocument = Omit<Reservation, 'orderId'> & OutboxFields & { _id: string };

const lineSchema = new Schema<StockLine>(
  { productId: { type: String, required: true }, quantity: { type: Number, required: true } },
  { _id: false },
);

const heldLineSchema = new Schema<HeldLine>(
  { productId: { type: String, required: true }, attemptId: { type: String, required: true } },
  { _id: false },
);

const reservationSchema = new Schema<ReservationDocument>(
  {
    _id: { type: String, required: true },
    reservationId: { type: String, required: true },
    status: { type: String, required: true, enum: RESERVATION_STATUSES },
    lines: { type: [lineSchema], default: [] },
    failure: { type: Schema.Types.Mixed, default: undefined },
    releaseReason: { type: String, default: undefined },
    held: { type: [heldLineSchema], default: [] },
    holding: { type: [String], default: [] },
  },
  { timestamps: true, versionKey: false, collection: 'reservations' },
);
// The reconciler's query for ended reservations still holding a line (mongo-java-server ignores non-unique indexes).
reservationSchema.index({ status: 1, holding: 1 });
reservationSchema.plugin(outboxPlugin);

export function reservationModel(connection: Connection): Model<ReservationDocument> {
  return (
    (connection.models.Reservation as Model<ReservationDocument> | undefined) ??
    connection.model<ReservationDocument>('Reservation', reservationSchema)
  );
}

import { Schema, type Connection, type Model } from 'mongoose';
import { CHANNELS } from '../../domain/Channel.js';
import type { MockDelivery } from '../../providers/MockMailbox.js';

export interface MockDeliveryDocument extends MockDelivery {
  /** `<channel>:<notificationId>`: the idempotency key is the primary key. */
  _id: string;
}

const mockDeliverySchema = new Schema<MockDeliveryDocument>(
  {
    _id: { type: String, required: true },
    channel: { type: String, required: true, enum: CHANNELS },
    notificationId: { type: String, required: true },
    to: { type: String, required: true },
    subject: { type: String },
    body: { type: String, required: true },
    deliveredAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'mock_provider_deliveries' },
);

export function mockDeliveryModel(connection: Connection): Model<MockDeliveryDocument> {
  return (
    (connection.models.MockDelivery as Model<MockDeliveryDocument> | undefined) ??
    connection.model<MockDeliveryDocument>('MockDelivery', mockDeliverySchema)
  );
}

import { Schema, type Connection, type Model } from 'mongoose';
import { CHANNELS, type Channel } from '../../domain/Channel.js';

export interface PreferencesDocument {
  /** The customerId: one document per customer. */
  _id: string;
  email?: string;
  phone?: string;
  channels: Channel[];
  createdAt: Date;
  updatedAt: Date;
}

const preferencesSchema = new Schema<PreferencesDocument>(
  {
    _id: { type: String, required: true },
    email: { type: String },
    phone: { type: String },
    channels: { type: [{ type: String, enum: CHANNELS }], required: true },
  },
  { timestamps: true, versionKey: false, collection: 'contact_preferences' },
);

export function preferencesModel(connection: Connection): Model<PreferencesDocument> {
  return (
    (connection.models.ContactPreferences as Model<PreferencesDocument> | undefined) ??
    connection.model<PreferencesDocument>('ContactPreferences', preferencesSchema)
  );
}

import { isDuplicateKeyError as isDuplicateKey, trusted as op } from '@orderplatform/shared/persistence';
import type { Model } from 'mongoose';
import { inject, injectable } from 'tsyringe';
import type { ContactPreferences } from '../domain/ContactPreferences.js';
import type { PreferencesRepository } from '../services/ports/PreferencesRepository.js';
import { TOKENS } from '../tokens.js';
import type { PreferencesDocument } from './models/PreferencesModel.js';

const toPreferences = (doc: PreferencesDocument): ContactPreferences => ({
  customerId: doc._id,
  ...(doc.email ? { email: doc.email } : {}),
  ...(doc.phone ? { phone: doc.phone } : {}),
  channels: doc.channels,
  updatedAt: doc.updatedAt,
});

/** Contact preferences in MongoDB, one document per customer (its _id is the customerId). */
@injectable()
export class MongoPreferencesRepository implements PreferencesRepository {
  constructor(@inject(TOKENS.PreferencesModel) private readonly model: Model<PreferencesDocument>) {}

  async find(customerId: string): Promise<ContactPreferences | null> {
    const doc = await this.model.findById(customerId).lean<PreferencesDocument>();
    return doc ? toPreferences(doc) : null;
  }

  async findMany(customerIds: readonly string[]): Promise<Map<string, ContactPreferences>> {
    if (customerIds.length === 0) return new Map();
    const docs = await this.model.find({ _id: op({ $in: [...customerIds] }) }).lean<PreferencesDocument[]>();
    return new Map(docs.map((doc) => [doc._id, toPreferences(doc)]));
  }

  async replace({
    customerId,
    email,
    phone,
    channels,
  }: ContactPreferences): Promise<{ preferences: ContactPreferences; created: boolean }> {
    const unset = { ...(email === undefined ? { email: 1 } : {}), ...(phone === undefined ? { phone: 1 } : {}) };
    const update = {
      $set: { channels, ...(email === undefined ? {} : { email }), ...(phone === undefined ? {} : { phone }) },
      ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}),
    };
    let created: boolean;
    try {
      created = (await this.model.updateOne({ _id: customerId }, update, { upsert: true })).upsertedCount === 1;
    } catch (err) {
      // Two first PUTs raced on the _id: the other created it; ours is then a plain replace.
      if (!isDuplicateKey(err)) throw err;
      await this.model.updateOne({ _id: customerId }, update);
      created = false;
    }
    const doc = await this.model.findById(customerId).lean<PreferencesDocument>();
    return { preferences: toPreferences(doc!), created };
  }

  async createIfAbsent({ customerId, email, phone, channels }: ContactPreferences): Promise<boolean> {
    try {
      await this.model.create({
        _id: customerId,
        channels,
        ...(email === undefined ? {} : { email }),
        ...(phone === undefined ? {} : { phone }),
      });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async isEmpty(): Promise<boolean> {
    return (await this.model.exists({})) === null;
  }
}

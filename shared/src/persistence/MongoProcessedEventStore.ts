import { Schema, type Connection, type Model } from 'mongoose';
import type { ProcessedEventStore } from '../kafka/ProcessedEventStore.js';
import { trusted } from './mongo.js';

interface ProcessedEvent {
  _id: string;
  eventType: string;
  processedAt: Date;
}

/** Stores one document per (group, eventId) in the service's own database. */
export class MongoProcessedEventStore implements ProcessedEventStore {
  /** Its collection, for initModels (created only where some consumer keeps these records). */
  readonly model: Model<ProcessedEvent>;

  constructor(connection: Connection) {
    this.model =
      (connection.models.ProcessedEvent as Model<ProcessedEvent> | undefined) ??
      connection.model<ProcessedEvent>(
        'ProcessedEvent',
        new Schema<ProcessedEvent>({ _id: String, eventType: String, processedAt: Date }, { versionKey: false }),
        'processed_events',
      );
  }

  async has(group: string, eventId: string): Promise<boolean> {
    return (await this.model.exists({ _id: `${group}:${eventId}` })) !== null;
  }

  async processedAmong(group: string, eventIds: string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const prefix = `${group}:`;
    const found = await this.model.find({ _id: trusted({ $in: eventIds.map((id) => prefix + id) }) }, { _id: 1 }).lean();
    return new Set(found.map((doc) => doc._id.slice(prefix.length)));
  }

  async record(group: string, eventId: string, eventType: string): Promise<void> {
    await this.model.updateOne({ _id: `${group}:${eventId}` }, { $setOnInsert: { eventType, processedAt: new Date() } }, { upsert: true });
  }

  /** One unordered bulkWrite of upserts: an event recorded before (a redelivery) is left as it was. */
  async recordMany(group: string, events: ReadonlyArray<{ eventId: string; eventType: string }>): Promise<void> {
    if (events.length === 0) return;
    const processedAt = new Date();
    await this.model.bulkWrite(
      events.map(({ eventId, eventType }) => ({
        updateOne: { filter: { _id: `${group}:${eventId}` }, update: { $setOnInsert: { eventType, processedAt } }, upsert: true },
      })),
      { ordered: false },
    );
  }
}

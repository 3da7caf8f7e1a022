import { isDuplicateKeyError as isDuplicateKey, trusted as op } from '@orderplatform/shared';
import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import { inject, injectable } from 'tsyringe';
import type { Notification, NotificationDraft } from '../domain/Notification.js';
import type { NotificationQuery, NotificationRepository } from '../services/ports/NotificationRepository.js';
import { TOKENS } from '../tokens.js';
import type { NotificationDocument } from './models/NotificationModel.js';

const toNotification = ({ _id, leaseId: _leaseId, leaseUntil: _leaseUntil, subject, sentAt, error, ...rest }: NotificationDocument): Notification => ({
  id: _id,
  ...rest,
  ...(subject === undefined || subject === null ? {} : { subject }),
  ...(sentAt === undefined || sentAt === null ? {} : { sentAt }),
  ...(error === undefined || error === null ? {} : { error }),
});

const NOT_SENT = () => op({ $ne: 'SENT' });

/**
 * Notification records in MongoDB. The unique (eventId, channel) index makes the first insert win;
 * the first delivery inserts the record with its send lease taken, and later ones take the lease
 * with one conditional findOneAndUpdate on the record, so no transaction is needed.
 */
@injectable()
export class MongoNotificationRepository implements NotificationRepository {
  constructor(@inject(TOKENS.NotificationModel) private readonly model: Model<NotificationDocument>) {}

  async createIfAbsent(draft: NotificationDraft): Promise<Notification> {
    const created = await this.insert(draft);
    if (created) return created;
    // Another delivery of the same event inserted it first: theirs is the record.
    const doc = await this.model.findOne({ eventId: draft.eventId, channel: draft.channel }).lean<NotificationDocument>();
    if (!doc) throw new Error(`Notification for ${draft.eventId}/${draft.channel} vanished after insert`);
    return toNotification(doc);
  }

  createLeased(draft: NotificationDraft, leaseId: string, until: Date): Promise<Notification | null> {
    return this.insert(draft, { leaseId, until });
  }

  /** A new PENDING record, its lease taken when one is given; null when (eventId, channel) exists. */
  private async insert(draft: NotificationDraft, lease?: { leaseId: string; until: Date }): Promise<Notification | null> {
    try {
      const doc = await this.model.create({ _id: randomUUID(), ...draft, status: 'PENDING', attempts: lease ? 1 : 0, leaseId: lease?.leaseId ?? null, leaseUntil: lease?.until ?? null });
      return toNotification(doc.toObject());
    } catch (err) {
      if (isDuplicateKey(err)) return null;
      throw err;
    }
  }

  async acquireLease(id: string, leaseId: string, now: Date, until: Date): Promise<Notification | null> {
    const doc = await this.model
      .findOneAndUpdate(
        { _id: id, status: NOT_SENT(), $or: [{ leaseUntil: null }, { leaseUntil: op({ $lte: now }) }] },
        { $set: { leaseId, leaseUntil: until }, $inc: { attempts: 1 } },
        { new: true },
      )
      .lean<NotificationDocument>();
    return doc ? toNotification(doc) : null;
  }

  async findById(id: string): Promise<Notification | null> {
    const doc = await this.model.findById(id).lean<NotificationDocument>();
    return doc ? toNotification(doc) : null;
  }

  async markSent(id: string, sentAt: Date): Promise<void> {
    await this.model.updateOne({ _id: id, status: NOT_SENT() }, { $set: { status: 'SENT', sentAt, leaseId: null, leaseUntil: null }, $unset: { error: 1 } });
  }

  async markFailed(id: string, leaseId: string, error: string): Promise<void> {
    await this.model.updateOne({ _id: id, leaseId, status: NOT_SENT() }, { $set: { status: 'FAILED', error, leaseId: null, leaseUntil: null } });
  }

  async find({ orderId, customerId, limit }: NotificationQuery): Promise<Notification[]> {
    const filter = { ...(orderId === undefined ? {} : { orderId }), ...(customerId === undefined ? {} : { customerId }) };
    const docs = await this.model.find(filter).sort({ createdAt: -1, _id: -1 }).limit(limit).lean<NotificationDocument[]>();
    return docs.map(toNotification);
  }
}

import {
  duplicateKeyIndexes,
  insertValidated,
  isDuplicateKeyError as isDuplicateKey,
  trusted as op,
} from '@orderplatform/shared/persistence';
import { summarizeIssues } from '@orderplatform/shared/contracts';
import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import { inject, injectable } from 'tsyringe';
import type { Channel } from '../domain/Channel.js';
import type { Notification, NotificationDraft, SkippedDraft } from '../domain/Notification.js';
import type { NewRecord, NotificationQuery, NotificationRepository, Settlement } from '../services/ports/NotificationRepository.js';
import { TOKENS } from '../tokens.js';
import { newNotificationDocument, type NotificationDocument } from './models/NotificationModel.js';

const toNotification = ({
  _id,
  leaseId: _leaseId,
  leaseUntil: _leaseUntil,
  recipient,
  reason,
  subject,
  sentAt,
  error,
  ...rest
}: NotificationDocument): Notification => ({
  id: _id,
  ...rest,
  ...(recipient === undefined || recipient === null ? {} : { recipient }),
  ...(reason === undefined || reason === null ? {} : { reason }),
  ...(subject === undefined || subject === null ? {} : { subject }),
  ...(sentAt === undefined || sentAt === null ? {} : { sentAt }),
  ...(error === undefined || error === null ? {} : { error }),
});

/** PENDING or FAILED: may still be leased and sent. SENT and SKIPPED are final. */
const OPEN = () => op({ $in: ['PENDING', 'FAILED'] });

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
    const existing = await this.findByEvent(draft.eventId, draft.channel);
    if (!existing) throw new Error(`Notification for ${draft.eventId}/${draft.channel} vanished after insert`);
    return existing;
  }

  createLeased(draft: NotificationDraft, leaseId: string, until: Date): Promise<Notification | null> {
    return this.insert(draft, { leaseId, until });
  }

  createSkipped(draft: SkippedDraft): Promise<Notification | null> {
    return this.insertDocument({ ...draft, status: 'SKIPPED', attempts: 0, leaseId: null, leaseUntil: null });
  }

  /** A new PENDING record, its lease taken when one is given; null when (eventId, channel) exists. */
  private insert(draft: NotificationDraft, lease?: { leaseId: string; until: Date }): Promise<Notification | null> {
    return this.insertDocument({
      ...draft,
      status: 'PENDING',
      attempts: lease ? 1 : 0,
      leaseId: lease?.leaseId ?? null,
      leaseUntil: lease?.until ?? null,
    });
  }

  private async insertDocument(fields: Omit<NotificationDocument, '_id' | 'createdAt' | 'updatedAt'>): Promise<Notification | null> {
    try {
      const doc = await this.model.create({ _id: randomUUID(), ...fields });
      return toNotification(doc.toObject());
    } catch (err) {
      if (isDuplicateKey(err)) return null;
      throw err;
    }
  }

  async insertMany(records: readonly NewRecord[]): Promise<Array<Notification | null>> {
    if (records.length === 0) return [];
    const now = new Date();
    const docs: NotificationDocument[] = records.map((record) => ({
      _id: randomUUID(),
      createdAt: now,
      updatedAt: now,
      ...(record.kind === 'leased'
        ? { ...record.draft, status: 'PENDING' as const, attempts: 1, leaseId: record.leaseId, leaseUntil: record.until }
        : { ...record.draft, status: 'SKIPPED' as const, attempts: 0, leaseId: null, leaseUntil: null }),
    }));
    // The schema's rules, checked here: the insert is lean. A record they refuse is never written
    // and fails the call once the valid ones are (as mongoose's own validation did).
    const checks = docs.map((doc) => newNotificationDocument.safeParse(doc));
    const valid = docs.filter((_, i) => checks[i]!.success);
    let refused = new Set<number>();
    try {
      // Unordered: a duplicate (an earlier delivery's record) refuses only itself, the rest are written.
      if (valid.length > 0) await insertValidated(this.model, valid, { ordered: false });
    } catch (err) {
      const duplicates = duplicateKeyIndexes(err);
      if (!duplicates) throw err;
      refused = duplicates;
    }
    const invalid = checks.flatMap((check, i) => (check.success ? [] : [`#${i} ${summarizeIssues(check.error.issues)}`]));
    if (invalid.length > 0) throw new Error(`Notification records refused by the schema: ${invalid.join(' | ')}`);
    // Every field is set here (timestamps included), so what was written is `docs` itself.
    return docs.map((doc, i) => (refused.has(i) ? null : toNotification(doc)));
  }

  async settleMany(settlements: readonly Settlement[]): Promise<void> {
    if (settlements.length === 0) return;
    await this.model.bulkWrite(
      settlements.map((s) =>
        'sentAt' in s
          ? {
              updateOne: {
                filter: { _id: s.id, status: OPEN() },
                update: { $set: { status: 'SENT', sentAt: s.sentAt, leaseId: null, leaseUntil: null }, $unset: { error: 1 } },
              },
            }
          : {
              updateOne: {
                filter: { _id: s.id, leaseId: s.leaseId, status: OPEN() },
                update: { $set: { status: 'FAILED', error: s.error, leaseId: null, leaseUntil: null } },
              },
            },
      ),
      { ordered: false },
    );
  }

  async acquireLease(id: string, leaseId: string, now: Date, until: Date): Promise<Notification | null> {
    const doc = await this.model
      .findOneAndUpdate(
        { _id: id, status: OPEN(), $or: [{ leaseUntil: null }, { leaseUntil: op({ $lte: now }) }] },
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

  async findByEvent(eventId: string, channel: Channel): Promise<Notification | null> {
    const doc = await this.model.findOne({ eventId, channel }).lean<NotificationDocument>();
    return doc ? toNotification(doc) : null;
  }

  async findByEvents(eventIds: readonly string[]): Promise<Notification[]> {
    if (eventIds.length === 0) return [];
    const docs = await this.model.find({ eventId: op({ $in: [...eventIds] }) }).lean<NotificationDocument[]>();
    return docs.map(toNotification);
  }

  async markSent(id: string, sentAt: Date): Promise<void> {
    await this.model.updateOne(
      { _id: id, status: OPEN() },
      { $set: { status: 'SENT', sentAt, leaseId: null, leaseUntil: null }, $unset: { error: 1 } },
    );
  }

  async markFailed(id: string, leaseId: string, error: string): Promise<void> {
    await this.model.updateOne(
      { _id: id, leaseId, status: OPEN() },
      { $set: { status: 'FAILED', error, leaseId: null, leaseUntil: null } },
    );
  }

  async find({ orderId, customerId, limit }: NotificationQuery): Promise<Notification[]> {
    const filter = { ...(orderId === undefined ? {} : { orderId }), ...(customerId === undefined ? {} : { customerId }) };
    const docs = await this.model.find(filter).sort({ createdAt: -1, _id: -1 }).limit(limit).lean<NotificationDocument[]>();
    return docs.map(toNotification);
  }

  async isEmpty(): Promise<boolean> {
    return (await this.model.exists({})) === null;
  }
}

import { duplicateKeyIndexes, insertValidated, isDuplicateKeyError as isDuplicateKey } from '@orderplatform/shared/persistence';
import type { Model } from 'mongoose';
import { inject, injectable } from 'tsyringe';
import type { MockDelivery, MockMailbox } from '../providers/MockMailbox.js';
import { TOKENS } from '../tokens.js';
import type { MockDeliveryDocument } from './models/MockDeliveryModel.js';

/** The mock providers' delivery log in this service's database; the key is the primary key, so a duplicate insert is the dedupe. */
@injectable()
export class MongoMockMailbox implements MockMailbox {
  constructor(@inject(TOKENS.MockDeliveryModel) private readonly model: Model<MockDeliveryDocument>) {}

  async deliverOnce(delivery: MockDelivery): Promise<boolean> {
    try {
      await this.model.create({ _id: `${delivery.channel}:${delivery.notificationId}`, ...delivery });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async deliverMany(deliveries: readonly MockDelivery[]): Promise<boolean[]> {
    if (deliveries.length === 0) return [];
    let refused = new Set<number>();
    try {
      await insertValidated(
        this.model,
        deliveries.map((delivery) => ({ _id: `${delivery.channel}:${delivery.notificationId}`, ...delivery })),
        { ordered: false },
      );
    } catch (err) {
      const duplicates = duplicateKeyIndexes(err);
      if (!duplicates) throw err;
      refused = duplicates;
    }
    return deliveries.map((_, i) => !refused.has(i));
  }
}

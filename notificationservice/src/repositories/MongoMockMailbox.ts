import { isDuplicateKeyError as isDuplicateKey } from '@orderplatform/shared/persistence';
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
}

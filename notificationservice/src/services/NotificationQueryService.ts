import { inject, injectable } from 'tsyringe';
import type { Notification } from '../domain/Notification.js';
import { TOKENS } from '../tokens.js';
import type { NotificationQuery, NotificationRepository } from './ports/NotificationRepository.js';

/** What was sent to whom (SPEC §3): the records, newest first, at most MAX_RESULTS. */
@injectable()
export class NotificationQueryService {
  static readonly MAX_RESULTS = 100;

  constructor(@inject(TOKENS.NotificationRepository) private readonly notifications: NotificationRepository) {}

  find(filter: Omit<NotificationQuery, 'limit'> & { limit?: number }): Promise<Notification[]> {
    const limit = Math.min(filter.limit ?? NotificationQueryService.MAX_RESULTS, NotificationQueryService.MAX_RESULTS);
    return this.notifications.find({ orderId: filter.orderId, customerId: filter.customerId, limit });
  }
}

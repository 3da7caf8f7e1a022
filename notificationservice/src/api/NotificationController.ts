import { sendSuccess } from '@orderplatform/shared/http';
import type { Request, Response } from 'express';
import { inject, injectable } from 'tsyringe';
import type { NotificationQueryService } from '../services/NotificationQueryService.js';
import type { PreferencesService } from '../services/PreferencesService.js';
import { TOKENS } from '../tokens.js';
import { customerParams, notificationsQuery, preferencesBody } from './requestSchemas.js';
import { notificationView, preferencesView } from './views.js';

/** Parses requests with zod, calls the services, shapes responses; errors go to the error middleware. */
@injectable()
export class NotificationController {
  constructor(
    @inject(TOKENS.NotificationQueryService) private readonly notifications: NotificationQueryService,
    @inject(TOKENS.PreferencesService) private readonly preferences: PreferencesService,
  ) {}

  list = async (req: Request, res: Response): Promise<void> => {
    const query = notificationsQuery.parse(req.query);
    sendSuccess(res, 200, (await this.notifications.find(query)).map(notificationView));
  };

  getPreferences = async (req: Request, res: Response): Promise<void> => {
    const { customerId } = customerParams.parse(req.params);
    sendSuccess(res, 200, preferencesView(await this.preferences.get(customerId)));
  };

  putPreferences = async (req: Request, res: Response): Promise<void> => {
    const { customerId } = customerParams.parse(req.params);
    const body = preferencesBody.parse(req.body);
    const { preferences, created } = await this.preferences.replace({ customerId, ...body });
    if (created) res.location(`/api/notifications/preferences/${encodeURIComponent(customerId)}`);
    sendSuccess(res, created ? 201 : 200, preferencesView(preferences), created ? 'Preferences created' : 'Preferences updated');
  };
}

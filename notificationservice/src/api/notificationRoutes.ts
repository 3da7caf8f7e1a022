import { requireCustomerCaller, type CustomerCallers } from '@orderplatform/shared/http';
import { Router } from 'express';
import type { NotificationController } from './NotificationController.js';

/**
 * SPEC §3 notificationservice routes. Everything that names a customer needs that customer's bearer token
 * or the admin key (in production; elsewhere a presented credential is still checked). A query by
 * orderId alone stays open like GET /api/orders/:id: order ids are UUIDs nobody can guess.
 */
export function notificationRoutes(controller: NotificationController, customers: CustomerCallers): Router {
  const router = Router();
  router.get('/api/notifications', requireCustomerCaller(customers, { query: 'customerId' }), controller.list);
  router.get(
    '/api/notifications/preferences/:customerId',
    requireCustomerCaller(customers, { param: 'customerId' }),
    controller.getPreferences,
  );
  router.put(
    '/api/notifications/preferences/:customerId',
    requireCustomerCaller(customers, { param: 'customerId' }),
    controller.putPreferences,
  );
  return router;
}

import { Router } from 'express';
import type { NotificationController } from './NotificationController.js';

/**
 * /api/notifications (SPEC §3). No admin key: SPEC §3 marks only state-changing operations of the
 * shop as admin; preferences are the customer's own, behind the shop's customer authentication
 * (as are the customer's orders in orderservice).
 */
export function notificationRoutes(controller: NotificationController): Router {
  const router = Router();
  router.get('/', controller.list);
  router.get('/preferences/:customerId', controller.getPreferences);
  router.put('/preferences/:customerId', controller.putPreferences);
  return router;
}

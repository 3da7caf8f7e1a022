import { requireAdminKey } from '@orderplatform/shared';
import { Router } from 'express';
import type { OrderController } from './OrderController.js';

/** SPEC §3 orderservice routes. The admin key is checked before anything else is looked at. */
export function orderRoutes(controller: OrderController, adminApiKey: string): Router {
  const router = Router();
  router.post('/api/orders', controller.place);
  router.get('/api/orders/customer/:customerId', controller.listByCustomer);
  router.get('/api/orders/:id', controller.get);
  router.get('/api/orders/:id/timeline', controller.timeline);
  router.put('/api/orders/:id/status', requireAdminKey(adminApiKey), controller.setStatus);
  router.post('/api/orders/:id/cancel', controller.cancel);
  return router;
}

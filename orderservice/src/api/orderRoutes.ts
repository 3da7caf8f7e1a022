import { requireAdminKey, requireCustomerCaller, type CustomerCallers } from '@orderplatform/shared/http';
import { Router } from 'express';
import type { OrderController } from './OrderController.js';

/**
 * SPEC §3 orderservice routes. The admin key, or the customer's own caller, is checked before
 * anything else is looked at. Reads by an order's id stay open: the UUID is not guessable.
 */
export function orderRoutes(controller: OrderController, customers: CustomerCallers): Router {
  const router = Router();
  router.post('/api/orders', controller.place);
  router.get('/api/orders/customer/:customerId', requireCustomerCaller(customers, { param: 'customerId' }), controller.listByCustomer);
  router.get('/api/orders/:id', controller.get);
  router.get('/api/orders/:id/timeline', controller.timeline);
  router.put('/api/orders/:id/status', requireAdminKey(customers.adminApiKey), controller.setStatus);
  router.post('/api/orders/:id/cancel', controller.cancel);
  return router;
}

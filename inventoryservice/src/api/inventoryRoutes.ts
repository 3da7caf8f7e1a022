import { requireAdminKey } from '@orderplatform/shared/http';
import { Router } from 'express';
import type { InventoryController } from './InventoryController.js';

/** /api/inventory (SPEC §3). The admin check runs before the body is validated. */
export function inventoryRoutes(controller: InventoryController, adminApiKey: string): Router {
  const router = Router();
  router.get('/', controller.list);
  router.get('/reservations/:orderId', controller.getReservation);
  router.get('/:productId', controller.get);
  router.put('/:productId', requireAdminKey(adminApiKey), controller.setStock);
  return router;
}

import { requireAdminKey } from '@orderplatform/shared/http';
import { Router } from 'express';
import type { InventoryController } from './InventoryController.js';

/** SPEC §3 inventoryservice routes. The admin check runs before the body is validated. */
export function inventoryRoutes(controller: InventoryController, adminApiKey: string): Router {
  const router = Router();
  router.get('/api/inventory', controller.list);
  router.get('/api/inventory/reservations/:orderId', controller.getReservation);
  router.get('/api/inventory/:productId', controller.get);
  router.put('/api/inventory/:productId', requireAdminKey(adminApiKey), controller.setStock);
  return router;
}

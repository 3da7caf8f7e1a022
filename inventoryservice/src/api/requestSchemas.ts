import { entityId } from '@orderplatform/shared/contracts';
import { nonBlankText } from '@orderplatform/shared/http';
import { z } from 'zod';

export const productParams = z.strictObject({ productId: entityId });
export const reservationParams = z.strictObject({ orderId: entityId });

/** PUT body: the product's name (optional) and the units to have available (see InventoryService.setStock). */
export const setStockBody = z.strictObject({
  name: nonBlankText(200).optional(),
  available: z.number().int().nonnegative().max(1_000_000_000),
});

import { nonBlankText } from '@orderplatform/shared';
import { z } from 'zod';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export const productParams = z.strictObject({ productId: z.string().regex(ID, { error: 'must be 1-64 letters, digits, _ or -' }) });
export const reservationParams = z.strictObject({ orderId: z.string().regex(ID, { error: 'must be 1-64 letters, digits, _ or -' }) });

/** PUT body: the product's name (optional) and the units to have available (see InventoryService.setStock). */
export const setStockBody = z.strictObject({
  name: nonBlankText(200).optional(),
  available: z.number().int().nonnegative().max(1_000_000_000),
});

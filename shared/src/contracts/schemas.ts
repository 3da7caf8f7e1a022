import { z } from 'zod';

/**
 * Payload schemas of every event. Objects are deliberately not strict: a consumer ignores fields
 * it does not know (tolerant reader), which is what lets an old consumer read a newer version.
 */
export const id = z.string().min(1).max(64);
export const money = z.number().nonnegative().finite();
export const currency = z.string().regex(/^[A-Z]{3}$/);
/** Text of at most `max` characters (code points, as the HTTP APIs count them; an emoji is one, not two UTF-16 units). */
const text = (max: number) =>
  z
    .string()
    .refine((value) => [...value].length <= max, { error: `must be at most ${max} characters` })
    .meta({ maxLength: max });

export const contactSchema = z.object({
  email: z.string().max(254).optional(),
  phone: z.string().max(32).optional(),
  name: text(200).optional(),
});

export const orderLineSchema = z.object({
  productId: id,
  quantity: z.number().int().positive(),
  price: money,
});

export const stockLineSchema = z.object({
  productId: id,
  quantity: z.number().int().positive(),
});

export const orderPlacedV1 = z.object({
  orderId: id,
  customerId: id,
  items: z.array(orderLineSchema).min(1),
  totalAmount: money,
  customer: contactSchema.optional(),
});

/** v2 adds the order's currency. v1 events are read as v2 with the default currency. */
export const orderPlacedV2 = orderPlacedV1.extend({ currency });

export const cancelReason = z.enum(['INSUFFICIENT_STOCK', 'UNKNOWN_PRODUCT', 'CUSTOMER_REQUEST', 'ADMIN_REQUEST', 'TIMEOUT']);
export const orderStatus = z.enum(['PENDING', 'CONFIRMED', 'CANCELLED', 'SHIPPED', 'DELIVERED']);

const orderRef = z.object({ orderId: id, customerId: id, customer: contactSchema.optional() });

export const orderConfirmedV1 = orderRef.extend({ totalAmount: money, currency, reservationId: id.optional() });
export const orderCancelledV1 = orderRef.extend({
  reason: cancelReason,
  details: text(500).optional(),
  previousStatus: orderStatus,
  totalAmount: money.optional(),
});
export const orderShippedV1 = orderRef.extend({ items: z.array(stockLineSchema).optional() });
export const orderDeliveredV1 = orderRef;

export const shortfallSchema = z.object({
  productId: id,
  requested: z.number().int().positive(),
  available: z.number().int().nonnegative(),
});

export const inventoryReservedV1 = z.object({ orderId: id, reservationId: id, items: z.array(stockLineSchema).min(1) });
export const inventoryFailedV1 = z.object({
  orderId: id,
  reason: z.enum(['INSUFFICIENT_STOCK', 'UNKNOWN_PRODUCT']),
  shortfalls: z.array(shortfallSchema).optional(),
  unknownProductIds: z.array(id).optional(),
});
export const inventoryReleasedV1 = z.object({
  orderId: id,
  reservationId: id,
  items: z.array(stockLineSchema),
  reason: z.string().max(100),
});

export const DEFAULT_CURRENCY = 'USD';

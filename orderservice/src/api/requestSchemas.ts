import { orderStatus } from '@orderplatform/shared';
import { z } from 'zod';
import { hasWholeCents, MAX_PRICE } from '../domain/money.js';
import { decodeCursor } from './cursor.js';
import { entityId } from './entityId.js';

export const MAX_QUANTITY = 1_000;
export const MAX_ITEMS = 100;
/** SPEC §3: a long-poll waits at most this long. */
export const MAX_WAIT_MS = 30_000;
export const DEFAULT_PAGE_SIZE = 20;

const orderLine = z.strictObject({
  productId: entityId,
  quantity: z.number().int().positive().max(MAX_QUANTITY),
  price: z.number().positive().max(MAX_PRICE).refine(hasWholeCents, { error: 'must have at most 2 decimal places' }),
});

const contact = z.strictObject({
  email: z.email().max(254).optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9][0-9 ()-]{4,30}$/, { error: 'must be a phone number: digits, spaces, "()" and "-", optionally starting with "+"' })
    .max(32)
    .optional(),
  name: z.string().trim().min(1).max(200).optional(),
});

/** POST /api/orders. Unknown keys anywhere are refused (SPEC §3). */
export const createOrderBody = z.strictObject({
  customerId: entityId,
  items: z
    .array(orderLine)
    .min(1)
    .max(MAX_ITEMS)
    .superRefine((items, ctx) => {
      // One line per product keeps "reserve every line or none" unambiguous for inventory.
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.productId)) ctx.addIssue({ code: 'custom', path: [index, 'productId'], message: 'each product may appear only once' });
        seen.add(item.productId);
      });
    }),
  customer: contact.optional(),
});

export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7E]{1,128}$/, { error: 'must be 1-128 printable ASCII characters' })
    .optional()
    .meta({ description: 'The same key with the same body returns the order placed first (200); with a different body, 409.' }),
});

export const orderIdParams = z.strictObject({ id: z.uuid({ error: 'must be an order id (UUID)' }) });

export const customerParams = z.strictObject({ customerId: entityId });

const digits = (max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, { error: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().max(max));

export const getOrderQuery = z.strictObject({
  waitFor: z
    .string()
    .max(100)
    .transform((list) => [...new Set(list.split(',').map((s) => s.trim()))])
    .pipe(z.array(orderStatus).min(1))
    .optional()
    .meta({ description: `Comma-separated statuses (${orderStatus.options.join(', ')}): wait until the order is in one of them, or the timeout passes.` }),
  timeoutMs: digits(MAX_WAIT_MS)
    .optional()
    .meta({ description: `How long to wait for \`waitFor\`, in ms: at most and by default ${MAX_WAIT_MS}.` }),
});

export const listOrdersQuery = z.strictObject({
  limit: digits(100)
    .pipe(z.number().min(1))
    .default(DEFAULT_PAGE_SIZE)
    // The query string carries text, so the documented default is text too.
    .meta({ description: 'Page size, 1-100.', default: String(DEFAULT_PAGE_SIZE) }),
  cursor: z
    .string()
    .max(200)
    .transform((value, ctx) => {
      const cursor = decodeCursor(value);
      if (!cursor) {
        ctx.addIssue({ code: 'custom', message: 'is not a cursor this service issued' });
        return z.NEVER;
      }
      return cursor;
    })
    .optional()
    .meta({ description: 'The `nextCursor` of the previous page.' }),
});

export const statusBody = z.strictObject({ status: orderStatus });

export const cancelBody = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });

import { entityId, orderStatus } from '@orderplatform/shared/contracts';
import { emailAddress, nonBlankText, queryInteger } from '@orderplatform/shared/http';
import { z } from 'zod';
import { hasWholeCents, MAX_PRICE } from '../domain/money.js';
import { CURSOR_PATTERN, decodeCursor } from './cursor.js';

export const MAX_QUANTITY = 1_000;
export const MAX_ITEMS = 100;
/** SPEC §3: a long-poll waits at most this long (ORDER_MAX_WAIT_MS may lower it). */
export const MAX_WAIT_MS = 30_000;
export const DEFAULT_PAGE_SIZE = 20;

const orderLine = z.strictObject({
  productId: entityId,
  quantity: z.number().int().positive().max(MAX_QUANTITY),
  // multipleOf tells clients the rule; hasWholeCents enforces it exactly (zod's multipleOf lets 5e-324 through).
  price: z
    .number()
    .positive()
    .max(MAX_PRICE)
    .refine(hasWholeCents, { error: 'must have at most 2 decimal places' })
    .meta({ multipleOf: 0.01, description: 'Unit price in currency units, at most 2 decimals.' }),
});

const contact = z.strictObject({
  email: emailAddress().optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9][0-9 ()-]{4,30}$/, { error: 'must be a phone number: digits, spaces, "()" and "-", optionally starting with "+"' })
    .max(32)
    .optional(),
  name: nonBlankText(200).optional(),
});

/** POST /api/orders. Unknown keys anywhere are refused (SPEC §3). */
export const createOrderBody = z.strictObject({
  customerId: entityId,
  // A product may appear on several lines (added twice, or at two prices): inventory holds their sum.
  items: z.array(orderLine).min(1).max(MAX_ITEMS),
  customer: contact.optional(),
});

export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7E]{1,128}$/, { error: 'must be 1-128 printable ASCII characters' })
    .optional()
    .meta({ description: 'The same key with the same body returns the order placed first (200); with a different body, 409.' }),
});

/** The UUID form zod's z.uuid() accepts (RFC 9562 versions 1-8, the nil and max UUIDs), spelled out for the document. */
const ORDER_ID = z.regexes.uuid();

export const orderIdParams = z.strictObject({ id: z.uuid({ error: 'must be an order id (UUID)' }).meta({ pattern: ORDER_ID.source }) });

export const customerParams = z.strictObject({ customerId: entityId });

/** `waitFor=CONFIRMED,CANCELLED`: OpenAPI's form style without explode, a comma-separated list. */
const statusList = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',') : value),
  z
    .array(orderStatus)
    .min(1)
    .max(orderStatus.options.length)
    .refine((statuses) => new Set(statuses).size === statuses.length, { error: 'must not repeat a status' })
    .meta({ uniqueItems: true }),
);

/** GET /api/orders/:id's query, for a service whose long-polls last at most maxWaitMs. */
export const getOrderQuery = (maxWaitMs = MAX_WAIT_MS) =>
  z.strictObject({
    waitFor: statusList.optional().meta({
      param: { style: 'form', explode: false },
      description: 'Statuses, comma-separated (`CONFIRMED,CANCELLED`): wait until the order is in one of them, or the timeout passes.',
    }),
    timeoutMs: queryInteger({ min: 0, max: maxWaitMs })
      .optional()
      .meta({ description: `How long to wait for \`waitFor\`, in ms: at most and by default ${maxWaitMs}.` }),
  });

export const listOrdersQuery = z.strictObject({
  limit: queryInteger({ min: 1, max: 100 })
    .default(DEFAULT_PAGE_SIZE)
    .meta({ description: 'Page size, 1-100.', default: DEFAULT_PAGE_SIZE }),
  cursor: z
    .string()
    .regex(CURSOR_PATTERN, { error: 'is not a cursor this service issued: pass the nextCursor of the previous page unchanged' })
    .transform((value) => decodeCursor(value)!)
    .optional()
    .meta({ description: 'The `nextCursor` of the previous page: `<createdAt ms>.<order id>`, the position of its last order.' }),
});

export const statusBody = z.strictObject({ status: orderStatus });

export const cancelBody = z.strictObject({ reason: nonBlankText(500).optional() });

import { z } from 'zod';

/** What an order, customer or product id may be (SPEC §6: ids validated): 1-64 letters, digits, "_" or "-". */
export const ENTITY_ID_PATTERN = '[A-Za-z0-9_-]{1,64}';
export const ENTITY_ID = new RegExp(`^${ENTITY_ID_PATTERN}$`);

/** An id in a request (path, query or body), refused with the one message every service gives. */
export const entityId = z.string().regex(ENTITY_ID, { error: 'must be 1-64 letters, digits, "_" or "-"' });

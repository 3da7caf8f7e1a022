import { z } from 'zod';

/** Customer and product ids (SPEC §6: ids validated). */
export const ENTITY_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const entityId = z.string().regex(ENTITY_ID, { error: 'must be 1-64 letters, digits, "_" or "-"' });

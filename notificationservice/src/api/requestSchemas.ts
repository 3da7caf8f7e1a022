import { entityId } from '@orderplatform/shared/contracts';
import { emailAddress, queryInteger } from '@orderplatform/shared/http';
import { z } from 'zod';
import { CHANNELS } from '../domain/Channel.js';

export const customerParams = z.strictObject({ customerId: entityId });

/** E.164: a plus, the country code and up to 15 digits in all, no spaces. */
const E164 = /^\+[1-9]\d{6,14}$/;

export const preferencesBody = z.strictObject({
  email: emailAddress().optional(),
  phone: z.string().regex(E164, { error: 'must be a phone number in E.164 form, e.g. +14155550123' }).optional(),
  channels: z
    .array(z.enum(CHANNELS))
    .min(1, { error: 'must name at least one channel' })
    .refine((channels) => new Set(channels).size === channels.length, { error: 'must not repeat a channel' })
    .meta({ uniqueItems: true }),
});

/** Each filter narrows the list; with none it is the newest notifications of all. */
export const notificationsQuery = z.strictObject({
  orderId: entityId.optional(),
  customerId: entityId.optional(),
  limit: queryInteger({ min: 1, max: 100 }).optional().meta({ description: 'At most this many, newest first (default and maximum 100).' }),
});

import { cancelReason, contactSchema, orderStatus } from '@orderplatform/shared/contracts';
import { z } from 'zod';

/** What clients receive (SPEC §3); orderView.ts builds exactly these shapes. */
export const orderViewSchema = z.object({
  id: z.uuid(),
  /** The same value as `id`, under the name the events use. */
  orderId: z.uuid(),
  customerId: z.string(),
  customer: contactSchema.optional(),
  items: z.array(z.object({ productId: z.string(), quantity: z.number().int(), price: z.number() })),
  /** Computed by the server in integer cents, shown with at most 2 decimals. */
  totalAmount: z.number(),
  currency: z.string(),
  status: orderStatus,
  cancellation: z.object({ reason: cancelReason, details: z.string().optional() }).optional(),
  reservationId: z.string().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const orderPageSchema = z.object({
  orders: z.array(orderViewSchema),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});

export const timelineEntryViewSchema = z.object({
  status: orderStatus,
  at: z.iso.datetime(),
  eventType: z.string(),
  eventId: z.string(),
  causedBy: z.string().optional(),
  reason: z.string().optional(),
  details: z.string().optional(),
});

export type OrderView = z.infer<typeof orderViewSchema>;
export type OrderPageView = z.infer<typeof orderPageSchema>;
export type TimelineEntryView = z.infer<typeof timelineEntryViewSchema>;

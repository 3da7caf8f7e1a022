import { z } from 'zod';
import { RESERVATION_STATUSES } from '../domain/Reservation.js';

/** What clients receive (SPEC §3); views.ts builds exactly these shapes. */
export const productViewSchema = z.object({
  productId: z.string(),
  name: z.string(),
  available: z.number().int(),
  reserved: z.number().int(),
  sold: z.number().int(),
});

export const reservationViewSchema = z.object({
  orderId: z.string(),
  reservationId: z.string(),
  status: z.enum(RESERVATION_STATUSES),
  items: z.array(z.object({ productId: z.string(), quantity: z.number().int() })),
  failure: z.unknown().optional(),
  releaseReason: z.string().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export type ProductView = z.infer<typeof productViewSchema>;
export type ReservationView = z.infer<typeof reservationViewSchema>;

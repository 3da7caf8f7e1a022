import type { Product } from '../domain/Product.js';
import type { Reservation } from '../domain/Reservation.js';
import type { ProductView, ReservationView } from './responseSchemas.js';

/** What clients see of a product (SPEC §3); holds and the invariant's bookkeeping stay inside. */
export const productView = ({ productId, name, available, reserved, sold }: Product): ProductView => ({
  productId,
  name,
  available,
  reserved,
  sold,
});

export const reservationView = (r: Reservation): ReservationView => ({
  orderId: r.orderId,
  reservationId: r.reservationId,
  status: r.status,
  items: r.lines,
  ...(r.failure ? { failure: r.failure } : {}),
  ...(r.releaseReason ? { releaseReason: r.releaseReason } : {}),
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

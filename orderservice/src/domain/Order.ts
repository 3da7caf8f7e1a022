import type { CancelReason, Contact, OrderStatus } from '@orderplatform/shared/contracts';

export type { CancelReason, Contact, OrderStatus };

/** One order line; the unit price is kept in integer cents so totals never drift. */
export interface OrderLine {
  productId: string;
  quantity: number;
  unitPriceCents: number;
}

export interface Cancellation {
  reason: CancelReason;
  details?: string;
}

/** One step of the order's history: the status it reached (or kept) and the event that recorded it. */
export interface TimelineEntry {
  status: OrderStatus;
  at: Date;
  eventType: string;
  eventId: string;
  /** The consumed event that caused this step, when one did. */
  causedBy?: string;
  reason?: string;
  details?: string;
}

/** The order aggregate as the services see it: a plain object, no ORM behind it. */
export interface Order {
  id: string;
  customerId: string;
  customer?: Contact;
  items: OrderLine[];
  totalCents: number;
  currency: string;
  status: OrderStatus;
  cancellation?: Cancellation;
  reservationId?: string;
  /** The correlation id of the request that placed it; later work on the order (the timeout sweep) reuses it. */
  correlationId: string;
  idempotencyKey?: string;
  /** Fingerprint of the placing request, to tell a replay from a different request under the same key. */
  requestFingerprint?: string;
  timeline: TimelineEntry[];
  createdAt: Date;
  updatedAt: Date;
}

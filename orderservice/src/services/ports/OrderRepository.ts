import type { DomainEvent } from '@orderplatform/shared/contracts';
import type { Cancellation, Order, OrderStatus, TimelineEntry } from '../../domain/Order.js';

export type InsertResult = { kind: 'created'; order: Order } | { kind: 'duplicate-idempotency-key' };

/** A status change, applied only if the order is still in `from` (no lost updates between instances). */
export interface StatusChange {
  from: OrderStatus;
  to: OrderStatus;
  entry: TimelineEntry;
  cancellation?: Cancellation;
  reservationId?: string;
}

/** Where a customer's order list continues: after this (createdAt, id), newest first. */
export interface PageCursor {
  createdAt: Date;
  id: string;
}

/**
 * Persistence of orders. Every write that changes state carries its events: they are stored in the
 * same single-document write (transactional outbox, SPEC §5) and published after it commits.
 */
export interface OrderRepository {
  /** Stores a new order and its events; refuses (without writing) when its idempotency key is taken. */
  insert(order: Order, events: DomainEvent[]): Promise<InsertResult>;
  findById(id: string): Promise<Order | null>;
  findByIdempotencyKey(key: string): Promise<Order | null>;
  /** The changed order, or null when the order was no longer in `change.from` (nothing written). */
  changeStatus(id: string, change: StatusChange, events: DomainEvent[]): Promise<Order | null>;
  /** Adds a timeline entry unless one with the same eventId is there already. */
  appendTimeline(id: string, entry: TimelineEntry): Promise<void>;
  /** Newest first, after the cursor when given. */
  listByCustomer(customerId: string, limit: number, after?: PageCursor): Promise<Order[]>;
  /** Oldest first. */
  findPendingCreatedBefore(cutoff: Date, limit: number): Promise<Order[]>;
}

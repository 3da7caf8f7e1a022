import type { OrderStatus } from './Order.js';

/** SPEC §2: every allowed move; anything else is refused. PENDING → CONFIRMED belongs to the saga alone. */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PENDING: ['CONFIRMED', 'CANCELLED'],
  CONFIRMED: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
};

export const canTransition = (from: OrderStatus, to: OrderStatus): boolean => TRANSITIONS[from].includes(to);

export const isTerminal = (status: OrderStatus): boolean => TRANSITIONS[status].length === 0;

/** Statuses only an event may set: CONFIRMED needs an InventoryReserved, so the admin API never sets it (SPEC §2). */
export const isSagaOnly = (to: OrderStatus): boolean => to === 'CONFIRMED';

import { randomUUID } from 'node:crypto';
import { createEvent, type DomainEvent, type EventDataMap } from '@orderplatform/shared/contracts';
import type { Order } from '../../src/domain/Order.js';

export interface OrderRequestBody {
  customerId: string;
  items: Array<{ productId: string; quantity: number; price: number }>;
  customer?: { email?: string; phone?: string; name?: string };
  [extra: string]: unknown;
}

/** A valid POST /api/orders body; override any part. */
export function buildOrderRequest(overrides: Partial<OrderRequestBody> = {}): OrderRequestBody {
  return {
    customerId: 'customer-1',
    items: [
      { productId: 'p-1', quantity: 2, price: 19.99 },
      { productId: 'p-2', quantity: 1, price: 5 },
    ],
    customer: { email: 'ada@example.com', phone: '+44 20 7946 0000', name: 'Ada Lovelace' },
    ...overrides,
  };
}

/** A stored order in the shape the services see. */
export function buildOrder(overrides: Partial<Order> = {}): Order {
  const createdAt = overrides.createdAt ?? new Date();
  return {
    id: randomUUID(),
    customerId: 'customer-1',
    customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
    items: [{ productId: 'p-1', quantity: 2, unitPriceCents: 1999 }],
    totalCents: 3998,
    currency: 'USD',
    status: 'PENDING',
    correlationId: randomUUID(),
    timeline: [{ status: 'PENDING', at: createdAt, eventType: 'OrderPlaced', eventId: randomUUID() }],
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

const source = 'inventoryservice';

export const buildInventoryReserved = (
  orderId: string,
  overrides: Partial<EventDataMap['InventoryReserved']> = {},
  correlationId?: string,
): DomainEvent<'InventoryReserved'> =>
  createEvent(
    'InventoryReserved',
    { orderId, reservationId: `res-${orderId.slice(0, 8)}`, items: [{ productId: 'p-1', quantity: 2 }], ...overrides },
    { source, ...(correlationId ? { correlationId } : {}) },
  );

export const buildInventoryFailed = (
  orderId: string,
  overrides: Partial<EventDataMap['InventoryFailed']> = {},
): DomainEvent<'InventoryFailed'> =>
  createEvent(
    'InventoryFailed',
    { orderId, reason: 'INSUFFICIENT_STOCK', shortfalls: [{ productId: 'p-1', requested: 2, available: 1 }], ...overrides },
    { source },
  );

export const buildInventoryReleased = (orderId: string): DomainEvent<'InventoryReleased'> =>
  createEvent(
    'InventoryReleased',
    { orderId, reservationId: `res-${orderId.slice(0, 8)}`, items: [{ productId: 'p-1', quantity: 2 }], reason: 'ORDER_CANCELLED' },
    { source },
  );

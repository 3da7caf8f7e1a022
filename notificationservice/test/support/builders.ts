import { randomUUID } from 'node:crypto';
import { createEvent, type DomainEvent, type EventDataMap } from '@orderplatform/shared/contracts';
import type { ContactPreferences } from '../../src/domain/ContactPreferences.js';
import type { NotificationDraft, NotifiedEventType } from '../../src/domain/Notification.js';

export const ADA = { email: 'ada@example.com', phone: '+14155550123', name: 'Ada' };

const DEFAULTS: { [K in NotifiedEventType]: (orderId: string) => EventDataMap[K] } = {
  OrderPlaced: (orderId) => ({
    orderId,
    customerId: 'cust-1',
    items: [
      { productId: '1', quantity: 2, price: 29.99 },
      { productId: '7', quantity: 1, price: 0.3 },
    ],
    totalAmount: 60.28,
    currency: 'USD',
    customer: ADA,
  }),
  OrderConfirmed: (orderId) => ({ orderId, customerId: 'cust-1', totalAmount: 60.28, currency: 'USD', customer: ADA }),
  OrderCancelled: (orderId) => ({
    orderId,
    customerId: 'cust-1',
    reason: 'INSUFFICIENT_STOCK',
    previousStatus: 'PENDING',
    totalAmount: 60.28,
    customer: ADA,
  }),
  OrderShipped: (orderId) => ({ orderId, customerId: 'cust-1', items: [{ productId: '1', quantity: 2 }], customer: ADA }),
  OrderDelivered: (orderId) => ({ orderId, customerId: 'cust-1', customer: ADA }),
};

/** A valid order lifecycle event as orderservice would publish it; data fields can be overridden (undefined removes). */
export function buildOrderEvent<T extends NotifiedEventType>(eventType: T, overrides: Partial<EventDataMap[T]> = {}): DomainEvent<T> {
  const orderId = (overrides as { orderId?: string }).orderId ?? `ord-${randomUUID().slice(0, 8)}`;
  const data = { ...DEFAULTS[eventType](orderId), ...overrides };
  for (const key of Object.keys(data) as Array<keyof typeof data>) if (data[key] === undefined) delete data[key];
  return createEvent(eventType, data as EventDataMap[T], { source: 'orderservice', correlationId: randomUUID() });
}

export function buildPreferences(overrides: Partial<ContactPreferences> = {}): ContactPreferences {
  return { customerId: 'cust-1', email: 'ada.prefs@example.com', phone: '+447700900123', channels: ['email', 'sms'], ...overrides };
}

export function buildDraft(overrides: Partial<NotificationDraft> = {}): NotificationDraft {
  return {
    eventId: randomUUID(),
    eventType: 'OrderPlaced',
    orderId: `ord-${randomUUID().slice(0, 8)}`,
    customerId: 'cust-1',
    channel: 'email',
    recipient: ADA.email,
    subject: 'We received your order',
    body: 'Hello Ada, …',
    ...overrides,
  };
}

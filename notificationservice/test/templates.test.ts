import type { CancelReason } from '@orderplatform/shared/contracts';
import { describe, expect, it } from 'vitest';
import { NOTIFIED_EVENT_TYPES } from '../src/domain/Notification.js';
import { renderEmail } from '../src/services/templates/emailTemplates.js';
import { SMS_MAX_LENGTH, formatMoney } from '../src/services/templates/format.js';
import { renderMessage } from '../src/services/templates/renderMessage.js';
import { renderSms } from '../src/services/templates/smsTemplates.js';
import { buildOrderEvent } from './support/builders.js';

const LONGEST_ORDER_ID = 'o'.repeat(64);
const REASONS: CancelReason[] = ['INSUFFICIENT_STOCK', 'UNKNOWN_PRODUCT', 'CUSTOMER_REQUEST', 'ADMIN_REQUEST', 'TIMEOUT'];

describe('notification templates', () => {
  it('when an order is placed, the email names the order, every item and the total with its currency', () => {
    const event = buildOrderEvent('OrderPlaced', { orderId: 'ord-42', currency: 'EUR', totalAmount: 60.28 });

    const email = renderEmail(event);

    expect(email.subject).toBe('We received your order ord-42');
    expect(email.body).toContain('Hello Ada,');
    expect(email.body).toContain('we received your order ord-42');
    expect(email.body).toContain('2 × product 1 at €29.99 each');
    expect(email.body).toContain('1 × product 7 at €0.30 each');
    expect(email.body).toContain('Total: €60.28');
  });

  it('when an order is confirmed, the email and SMS give the total in its currency', () => {
    const event = buildOrderEvent('OrderConfirmed', { orderId: 'ord-42', totalAmount: 0.3, currency: 'USD' });

    const email = renderEmail(event);
    const sms = renderSms(event);

    expect(email.subject).toBe('Your order ord-42 is confirmed');
    expect(email.body).toContain('Total: $0.30');
    expect(sms).toBe('Your order ord-42 is confirmed (total $0.30).');
  });

  it.each<[CancelReason, string, string]>([
    ['INSUFFICIENT_STOCK', 'because some items are out of stock', 'because items are out of stock'],
    [
      'UNKNOWN_PRODUCT',
      'because it includes a product that is not in our catalogue (unknown product)',
      'because it has an unknown product',
    ],
    ['CUSTOMER_REQUEST', 'because you asked us to cancel it', 'because you asked us to'],
    ['ADMIN_REQUEST', 'because the shop cancelled it', 'because the shop cancelled it'],
    ['TIMEOUT', 'because it timed out before we could confirm it', 'because it timed out'],
  ])('when an order is cancelled for %s, both messages say why in plain words', (reason, emailText, smsText) => {
    const event = buildOrderEvent('OrderCancelled', { orderId: 'ord-42', reason });

    const email = renderEmail(event);
    const sms = renderSms(event);

    expect(email.subject).toBe('Your order ord-42 was cancelled');
    expect(email.body).toContain(`your order ord-42 was cancelled ${emailText}.`);
    expect(email.body).not.toContain(reason);
    expect(sms).toBe(`Your order ord-42 was cancelled ${smsText}.`);
  });

  it('when a cancellation carries the total, the email shows it without a currency symbol (the event has none)', () => {
    const withTotal = renderEmail(buildOrderEvent('OrderCancelled', { totalAmount: 12.5 }));
    const withoutTotal = renderEmail(buildOrderEvent('OrderCancelled', { totalAmount: undefined }));

    expect(withTotal.body).toContain('Order total: 12.50');
    expect(withoutTotal.body).not.toContain('Order total');
  });

  it('when an order ships, the email lists the shipped items if the event has them', () => {
    const withItems = renderEmail(buildOrderEvent('OrderShipped', { orderId: 'ord-42', items: [{ productId: '3', quantity: 4 }] }));
    const withoutItems = renderEmail(buildOrderEvent('OrderShipped', { orderId: 'ord-42', items: undefined }));

    expect(withItems.subject).toBe('Your order ord-42 has shipped');
    expect(withItems.body).toContain('4 × product 3');
    expect(withoutItems.body).not.toContain('Shipped:');
    expect(renderSms(buildOrderEvent('OrderShipped', { orderId: 'ord-42' }))).toBe('Your order ord-42 has shipped and is on its way.');
  });

  it('when an order is delivered, the messages say so', () => {
    const event = buildOrderEvent('OrderDelivered', { orderId: 'ord-42' });

    expect(renderEmail(event).subject).toBe('Your order ord-42 was delivered');
    expect(renderSms(event)).toBe('Your order ord-42 was delivered. Enjoy!');
  });

  it('when the customer has no name, the email greets without one', () => {
    const email = renderEmail(buildOrderEvent('OrderDelivered', { customer: { email: 'x@example.com' } }));

    expect(email.body.startsWith('Hello,\n\n')).toBe(true);
  });

  it.each(NOTIFIED_EVENT_TYPES)('for %s, email has a subject and body, SMS only a body', (eventType) => {
    const event = buildOrderEvent(eventType);

    const email = renderMessage(event, 'email');
    const sms = renderMessage(event, 'sms');

    expect(email.subject).toMatch(/\S/);
    expect(email.body).toContain(event.data.orderId);
    expect(sms.subject).toBeUndefined();
    expect(sms.body).toContain(event.data.orderId);
  });

  it.each(NOTIFIED_EVENT_TYPES)('for %s, the SMS fits one segment even with a 64-character order id and a huge total', (eventType) => {
    const events =
      eventType === 'OrderCancelled'
        ? REASONS.map((reason) => buildOrderEvent('OrderCancelled', { orderId: LONGEST_ORDER_ID, reason }))
        : [buildOrderEvent(eventType, { orderId: LONGEST_ORDER_ID, totalAmount: 987_654_321.99, currency: 'EUR' } as never)];

    for (const event of events) {
      const sms = renderSms(event);
      expect(sms.length).toBeLessThanOrEqual(SMS_MAX_LENGTH);
      expect(sms).toContain(LONGEST_ORDER_ID);
      expect(sms.endsWith('…')).toBe(false); // written to fit, not cut
    }
  });

  it('formats amounts exactly, with the currency when known', () => {
    expect(formatMoney(0.1 + 0.2, 'USD')).toBe('$0.30');
    expect(formatMoney(1234.5, 'EUR')).toBe('€1,234.50');
    expect(formatMoney(1234.5)).toBe('1234.50');
  });

  it('formats each amount in its own currency when formatters are reused, an unknown code included', () => {
    expect([formatMoney(5, 'USD'), formatMoney(5, 'JPY'), formatMoney(7.25, 'USD')]).toEqual(['$5.00', '¥5', '$7.25']);
    expect([formatMoney(2, 'ZZZ'), formatMoney(3, 'ZZZ')]).toEqual(['ZZZ 2.00', 'ZZZ 3.00']);
  });
});

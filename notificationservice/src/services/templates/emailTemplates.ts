import type { OrderLifecycleEvent } from './OrderLifecycleEvent.js';
import { CANCEL_REASON_TEXT, SIGNATURE, formatMoney, greeting, paragraphs } from './format.js';

export interface EmailMessage {
  subject: string;
  body: string;
}

const lines = (items: string[]): string => items.map((item) => `  - ${item}`).join('\n');

/** The email for each lifecycle event: order id, total (with currency where the event carries it), items where known. */
export function renderEmail(event: OrderLifecycleEvent): EmailMessage {
  switch (event.eventType) {
    case 'OrderPlaced': {
      const { orderId, items, totalAmount, currency, customer } = event.data;
      return {
        subject: `We received your order ${orderId}`,
        body: paragraphs(
          greeting(customer),
          `we received your order ${orderId} and are checking that everything is in stock. We will write again once it is confirmed.`,
          `Items:\n${lines(items.map((i) => `${i.quantity} × product ${i.productId} at ${formatMoney(i.price, currency)} each`))}`,
          `Total: ${formatMoney(totalAmount, currency)}`,
          SIGNATURE,
        ),
      };
    }
    case 'OrderConfirmed': {
      const { orderId, totalAmount, currency, customer } = event.data;
      return {
        subject: `Your order ${orderId} is confirmed`,
        body: paragraphs(
          greeting(customer),
          `good news: your order ${orderId} is confirmed and your items are reserved. We will let you know when it ships.`,
          `Total: ${formatMoney(totalAmount, currency)}`,
          SIGNATURE,
        ),
      };
    }
    case 'OrderCancelled': {
      const { orderId, reason, totalAmount, customer } = event.data;
      return {
        subject: `Your order ${orderId} was cancelled`,
        body: paragraphs(
          greeting(customer),
          `your order ${orderId} was cancelled because ${CANCEL_REASON_TEXT[reason]}.`,
          // OrderCancelled carries no currency: the amount is shown without a symbol.
          totalAmount !== undefined && `Order total: ${formatMoney(totalAmount)}`,
          'We are sorry for the inconvenience.',
          SIGNATURE,
        ),
      };
    }
    case 'OrderShipped': {
      const { orderId, items, customer } = event.data;
      return {
        subject: `Your order ${orderId} has shipped`,
        body: paragraphs(
          greeting(customer),
          `your order ${orderId} is on its way.`,
          items && items.length > 0 && `Shipped:\n${lines(items.map((i) => `${i.quantity} × product ${i.productId}`))}`,
          SIGNATURE,
        ),
      };
    }
    case 'OrderDelivered': {
      const { orderId, customer } = event.data;
      return {
        subject: `Your order ${orderId} was delivered`,
        body: paragraphs(greeting(customer), `your order ${orderId} was delivered. We hope you enjoy it.`, SIGNATURE),
      };
    }
  }
}

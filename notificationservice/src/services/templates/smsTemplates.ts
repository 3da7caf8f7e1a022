import type { OrderLifecycleEvent } from './OrderLifecycleEvent.js';
import { CANCEL_REASON_SMS, fitSms, formatMoney } from './format.js';

/** The SMS for each lifecycle event: one segment (≤ 160 characters), order id first. */
export function renderSms(event: OrderLifecycleEvent): string {
  switch (event.eventType) {
    case 'OrderPlaced': {
      const { orderId, totalAmount, currency } = event.data;
      return fitSms(
        `We received your order ${orderId} (total ${formatMoney(totalAmount, currency)}). We'll text you once it is confirmed.`,
      );
    }
    case 'OrderConfirmed': {
      const { orderId, totalAmount, currency } = event.data;
      return fitSms(`Your order ${orderId} is confirmed (total ${formatMoney(totalAmount, currency)}).`);
    }
    case 'OrderCancelled': {
      const { orderId, reason } = event.data;
      return fitSms(`Your order ${orderId} was cancelled because ${CANCEL_REASON_SMS[reason]}.`);
    }
    case 'OrderShipped':
      return fitSms(`Your order ${event.data.orderId} has shipped and is on its way.`);
    case 'OrderDelivered':
      return fitSms(`Your order ${event.data.orderId} was delivered. Enjoy!`);
  }
}

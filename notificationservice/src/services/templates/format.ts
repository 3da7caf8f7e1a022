import type { CancelReason, Contact } from '@orderplatform/shared/contracts';

/**
 * One formatter per currency code, or null for a code Intl does not support. Building an
 * Intl.NumberFormat costs far more than formatting with one (it was ~8 % of the notification
 * service's CPU); the codes come from a short ISO list, so the map stays small.
 */
const currencyFormats = new Map<string, Intl.NumberFormat | null>();

function currencyFormat(currency: string): Intl.NumberFormat | null {
  let format = currencyFormats.get(currency);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    } catch {
      format = null;
    }
    currencyFormats.set(currency, format);
  }
  return format;
}

/** Amount with its currency symbol when the currency is known (0.1 + 0.2 prints as $0.30). */
export function formatMoney(amount: number, currency?: string): string {
  if (!currency) return amount.toFixed(2);
  // A well-formed but unsupported code: still show what it is.
  return currencyFormat(currency)?.format(amount) ?? `${amount.toFixed(2)} ${currency}`;
}

/** Why an order was cancelled, in the customer's words (completes "… was cancelled because …"). */
export const CANCEL_REASON_TEXT: Record<CancelReason, string> = {
  INSUFFICIENT_STOCK: 'some items are out of stock',
  UNKNOWN_PRODUCT: 'it includes a product that is not in our catalogue (unknown product)',
  CUSTOMER_REQUEST: 'you asked us to cancel it',
  ADMIN_REQUEST: 'the shop cancelled it',
  TIMEOUT: 'it timed out before we could confirm it',
};

/** The same, short enough for an SMS next to a 64-character order id. */
export const CANCEL_REASON_SMS: Record<CancelReason, string> = {
  INSUFFICIENT_STOCK: 'items are out of stock',
  UNKNOWN_PRODUCT: 'it has an unknown product',
  CUSTOMER_REQUEST: 'you asked us to',
  ADMIN_REQUEST: 'the shop cancelled it',
  TIMEOUT: 'it timed out',
};

export const greeting = (contact?: Contact): string => (contact?.name?.trim() ? `Hello ${contact.name.trim()},` : 'Hello,');

export const SIGNATURE = 'Thank you for shopping with us.';

export const SMS_MAX_LENGTH = 160;

/** One SMS segment at most: texts are written to fit; an extreme order id is cut rather than split into two messages. */
export function fitSms(text: string): string {
  return text.length <= SMS_MAX_LENGTH ? text : `${text.slice(0, SMS_MAX_LENGTH - 1)}…`;
}

export const paragraphs = (...parts: Array<string | undefined | false>): string =>
  parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join('\n\n');

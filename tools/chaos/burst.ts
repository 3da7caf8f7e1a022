import { createOrderBody, MAX_ITEMS } from '@orderplatform/orderservice/requestSchemas';
import { request } from '../lib/http.js';

/** The longest id the API accepts (customer and product ids: 1-64 letters, digits, "_" or "-"). */
const MAX_ID = 64;
const MAX_EMAIL = 254;
const MAX_PHONE = 32;
const MAX_NAME = 200;
const pad = (prefix: string, length: number) => `${prefix}${'x'.repeat(length)}`.slice(0, length);

/** The products a maximum-size order references: as many as an order may have lines, each with the longest id. */
export const BURST_PRODUCTS = Array.from({ length: MAX_ITEMS }, (_, i) => pad(`burst-p${String(i).padStart(3, '0')}-`, MAX_ID));

/**
 * The largest order the API accepts (≈ 12 KB of JSON): every line, the longest ids, the full contact.
 * Quantity 1 per line, so stocking each burst product with one unit per order lets every one confirm.
 */
export function maxSizeOrder(i: number): unknown {
  const local = pad(`burst${i}-`, 64);
  const label = (c: string) => c.repeat(63);
  const domain = `${label('a')}.${label('b')}.`;
  const body = {
    customerId: pad(`burst-customer-${i % 10}-`, MAX_ID),
    items: BURST_PRODUCTS.map((productId) => ({ productId, quantity: 1, price: 999_999.99 })),
    customer: {
      email: `${local}@${domain}${'c'.repeat(MAX_EMAIL - local.length - 1 - domain.length - 4)}.com`,
      phone: `+${'1'.repeat(MAX_PHONE - 1)}`,
      name: 'N'.repeat(MAX_NAME),
    },
  };
  // The harness must send what the API really accepts at its limit; a changed schema fails loudly here.
  const parsed = createOrderBody.safeParse(body);
  if (!parsed.success) throw new Error(`the maximum-size order no longer matches the order API's schema: ${parsed.error.message}`);
  return body;
}

/** Admin PUT of every burst product with `units` available (SEED_CATALOG is off: nothing else creates them). */
export async function stockBurstProducts(inventoryUrl: string, adminKey: string, units: number): Promise<void> {
  for (const productId of BURST_PRODUCTS) {
    const res = await request(
      'PUT',
      `${inventoryUrl}/api/inventory/${productId}`,
      { name: `Burst ${productId.slice(0, 12)}`, available: units },
      { 'x-api-key': adminKey },
    );
    if (res.kind !== 'response' || res.status >= 300) throw new Error(`stocking ${productId} failed: ${JSON.stringify(res)}`);
  }
}

export interface BurstResult {
  sent: number;
  /** 201: the platform promised to handle them. */
  accepted: string[];
  /** Answers by status (201 included). */
  answered: Record<string, number>;
  unanswered: number;
  errors: number;
  bodyBytes: number;
  tookMs: number;
}

/** POSTs `count` maximum-size orders, `concurrency` at a time; each accepted id is handed to `onAccepted` at once. */
export async function postBurst(
  ordersUrl: string,
  count: number,
  concurrency: number,
  onAccepted: (id: string) => void,
): Promise<BurstResult> {
  const started = Date.now();
  const result: BurstResult = {
    sent: 0,
    accepted: [],
    answered: {},
    unanswered: 0,
    errors: 0,
    bodyBytes: JSON.stringify(maxSizeOrder(0)).length,
    tookMs: 0,
  };
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      result.sent += 1;
      const res = await request('POST', `${ordersUrl}/api/orders`, maxSizeOrder(i));
      if (res.kind === 'error') {
        if (res.timedOut) result.unanswered += 1;
        else result.errors += 1;
        continue;
      }
      result.answered[String(res.status)] = (result.answered[String(res.status)] ?? 0) + 1;
      if (res.status === 201) {
        const id = (res.body as { data: { id: string } }).data.id;
        result.accepted.push(id);
        onAccepted(id);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  result.tookMs = Date.now() - started;
  return result;
}

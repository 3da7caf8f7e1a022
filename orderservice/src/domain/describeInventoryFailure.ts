import type { EventDataMap } from '@orderplatform/shared/contracts';

const MAX_DETAILS = 500;

/** A one-line, human-readable account of why inventory refused an order (kept on the order and in OrderCancelled). */
export function describeInventoryFailure(failure: EventDataMap['InventoryFailed']): string {
  const text =
    failure.reason === 'UNKNOWN_PRODUCT'
      ? `Unknown products: ${(failure.unknownProductIds ?? []).join(', ') || 'unspecified'}`
      : `Insufficient stock: ${(failure.shortfalls ?? []).map((s) => `${s.productId} (requested ${s.requested}, available ${s.available})`).join('; ') || 'unspecified'}`;
  return text.length > MAX_DETAILS ? `${text.slice(0, MAX_DETAILS - 1)}…` : text;
}

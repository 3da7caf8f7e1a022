import type { StockLine } from '../domain/Reservation.js';

/**
 * One line per product, quantities summed, sorted by productId: an order naming a product twice
 * must hold its total once (a product's hold is keyed by order), and a fixed order keeps re-runs
 * of the reservation steps identical.
 */
export function mergeLines(items: ReadonlyArray<StockLine>): StockLine[] {
  const totals = new Map<string, number>();
  for (const { productId, quantity } of items) totals.set(productId, (totals.get(productId) ?? 0) + quantity);
  return [...totals]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

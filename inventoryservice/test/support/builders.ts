import { randomUUID } from 'node:crypto';
import type { Product } from '../../src/services/ports/ProductRepository.js';
import type { OrderToReserve } from '../../src/services/ReservationService.js';

/** A product with `available` units and nothing reserved or sold. */
export function buildProduct(overrides: Partial<Product> & { productId: string }): Product {
  const available = overrides.available ?? 10;
  return { name: `Product ${overrides.productId}`, available, reserved: 0, sold: 0, initial: available, restocked: 0, ...overrides };
}

export function buildOrder(items: Array<[productId: string, quantity: number]>, orderId = `order-${randomUUID()}`): OrderToReserve {
  return { orderId, items: items.map(([productId, quantity]) => ({ productId, quantity })) };
}

/** The SPEC §2 invariant of one product. */
export const balances = (p: Product): boolean => p.initial + p.restocked === p.available + p.reserved + p.sold && p.available >= 0;

import { randomUUID } from 'node:crypto';
import type { OutboxEntry } from '@orderplatform/shared/outbox';
import type { Model } from 'mongoose';
import type { DependencyContainer } from 'tsyringe';
import type { Product } from '../../src/domain/Product.js';
import type { ReservationDocument } from '../../src/repositories/models/ReservationModel.js';
import { TOKENS } from '../../src/tokens.js';
import { FakeProductRepository } from './FakeProductRepository.js';
import { FakeReservationRepository } from './FakeReservationRepository.js';
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

/** In-memory repositories holding `products`, and the override that puts them into the service (unitService's `register`). */
export function fakeRepositories(products: Product[] = []) {
  const fakes = { products: new FakeProductRepository(products), reservations: new FakeReservationRepository() };
  return {
    ...fakes,
    register(container: DependencyContainer): void {
      container.registerInstance(TOKENS.ProductRepository, fakes.products);
      container.registerInstance(TOKENS.ReservationRepository, fakes.reservations);
    },
  };
}

/** The events written for an order, as the relay would find them in its reservation's outbox. */
export async function outboxOf(reservations: Model<ReservationDocument>, orderId: string): Promise<OutboxEntry[]> {
  return (await reservations.findById(orderId, { outbox: 1 }).lean())?.outbox ?? [];
}

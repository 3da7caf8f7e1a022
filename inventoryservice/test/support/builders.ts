import { randomUUID } from 'node:crypto';
import { uniqueName } from '../../../test/support/infra.js';
import type { OutboxEntry } from '@orderplatform/shared/outbox';
import type { Model } from 'mongoose';
import type { DependencyContainer } from 'tsyringe';
import type { Product } from '../../src/domain/Product.js';
import type { ProductDocument } from '../../src/repositories/models/ProductModel.js';
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

/**
 * A product as the real database has it, with the orders holding it read from the ledger (the
 * reservations' `holding`) and its in-flight markers; `balanced` is the SPEC §2 invariant plus
 * reserved = Σ of the quantities the ledger and the unrecorded hold markers account for.
 */
export async function stockOf(models: { products: Model<ProductDocument>; reservations: Model<ReservationDocument> }, productId: string) {
  const doc = (await models.products.findOne({ productId }).lean())!;
  const holders = await models.reservations.find({ holding: productId }, { lines: 1, held: 1 }).lean();
  const quantityOf = (r: (typeof holders)[number]) => r.lines.find((l) => l.productId === productId)?.quantity ?? 0;
  const recorded = new Set(holders.map((r) => `${r._id}/${r.held.find((h) => h.productId === productId)?.attemptId}`));
  const unrecordedHolds = doc.pending.filter((m) => m.step === 'hold' && !recorded.has(`${m.orderId}/${m.attemptId}`));
  return {
    available: doc.available,
    reserved: doc.reserved,
    sold: doc.sold,
    pending: doc.pending.map(({ orderId, step }) => ({ orderId, step })),
    holds: holders.map((r) => ({ orderId: r._id, quantity: quantityOf(r) })).sort((a, b) => a.orderId.localeCompare(b.orderId)),
    balanced:
      doc.initial + doc.restocked === doc.available + doc.reserved + doc.sold &&
      doc.available >= 0 &&
      doc.reserved === holders.reduce((s, r) => s + quantityOf(r), 0) + unrecordedHolds.reduce((s, m) => s + m.quantity, 0),
  };
}

/** Creates one product per key with that many units available (unique ids); returns key → productId. */
export async function givenProducts(products: Model<ProductDocument>, stock: Record<string, number>): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const [key, available] of Object.entries(stock)) {
    ids[key] = uniqueName(`p${key}`);
    await products.create({ productId: ids[key], name: key, available, initial: available });
  }
  return ids;
}

import type { NewProduct, PendingMarker, Product, ProductForOrder } from '../../src/domain/Product.js';
import type { GiveBack, HoldRequest, MarkerRemoval, ProductRepository } from '../../src/services/ports/ProductRepository.js';

interface Stored {
  product: Product;
  giveBackSeq: number;
  pending: PendingMarker[];
}

/** In-memory products with the same conditional semantics as the MongoDB repository. */
export class FakeProductRepository implements ProductRepository {
  private readonly products = new Map<string, Stored>();

  constructor(initial: Product[] = []) {
    for (const product of initial) this.products.set(product.productId, { product: { ...product }, giveBackSeq: 0, pending: [] });
  }

  /** Test view: a product's stock and its in-flight markers. */
  snapshot(productId: string): (Product & { pending: PendingMarker[] }) | undefined {
    const stored = this.products.get(productId);
    return stored && { ...stored.product, pending: stored.pending.map((m) => ({ ...m })) };
  }

  async list(): Promise<Product[]> {
    return [...this.products.values()].map((s) => ({ ...s.product })).sort((a, b) => a.productId.localeCompare(b.productId));
  }

  async findById(productId: string): Promise<Product | null> {
    const stored = this.products.get(productId);
    return stored ? { ...stored.product } : null;
  }

  async findForOrder(productIds: string[], orderId: string): Promise<ProductForOrder[]> {
    return productIds.flatMap((id) => {
      const stored = this.products.get(id);
      return stored
        ? [
            {
              ...stored.product,
              giveBackSeq: stored.giveBackSeq,
              pending: stored.pending.filter((m) => m.orderId === orderId).map((m) => ({ ...m })),
            },
          ]
        : [];
    });
  }

  async hold(productId: string, orderId: string, quantity: number, attemptId: string): Promise<boolean> {
    const stored = this.products.get(productId);
    if (!stored || stored.product.available < quantity || stored.pending.some((m) => m.orderId === orderId)) return false;
    stored.product.available -= quantity;
    stored.product.reserved += quantity;
    stored.pending.push({ orderId, attemptId, quantity, step: 'hold', at: new Date() });
    return true;
  }

  async holdEach(orderId: string, lines: ReadonlyArray<{ productId: string; quantity: number }>, attemptId: string): Promise<number> {
    let held = 0;
    for (const { productId, quantity } of lines) if (await this.hold(productId, orderId, quantity, attemptId)) held += 1;
    return held;
  }

  async holdTogether(requests: ReadonlyArray<HoldRequest>): Promise<Set<string>> {
    const byProduct = new Map<string, Array<{ orderId: string; attemptId: string; quantity: number }>>();
    for (const { orderId, attemptId, lines } of requests)
      for (const { productId, quantity } of lines)
        byProduct.set(productId, [...(byProduct.get(productId) ?? []), { orderId, attemptId, quantity }]);
    const took = new Set<string>();
    for (const [productId, holds] of byProduct) {
      const stored = this.products.get(productId);
      const total = holds.reduce((sum, h) => sum + h.quantity, 0);
      if (!stored || stored.product.available < total || stored.pending.some((m) => holds.some((h) => h.orderId === m.orderId))) continue;
      stored.product.available -= total;
      stored.product.reserved += total;
      for (const { orderId, attemptId, quantity } of holds)
        stored.pending.push({ orderId, attemptId, quantity, step: 'hold', at: new Date() });
      took.add(productId);
    }
    return new Set(requests.filter((r) => r.lines.every((l) => took.has(l.productId))).map((r) => r.orderId));
  }

  async giveBackEach(orderId: string, giveBacks: ReadonlyArray<GiveBack>): Promise<number> {
    let applied = 0;
    for (const { productId, quantity, step, attemptId, expectedSeq } of giveBacks) {
      const stored = this.products.get(productId);
      if (!stored || stored.giveBackSeq !== expectedSeq || stored.pending.some((m) => m.orderId === orderId && m.step !== 'hold')) continue;
      stored.product.reserved -= quantity;
      if (step === 'release') stored.product.available += quantity;
      else stored.product.sold += quantity;
      stored.giveBackSeq += 1;
      stored.pending.push({ orderId, attemptId, quantity, step, at: new Date() });
      applied += 1;
    }
    return applied;
  }

  async removeMarkers(removals: ReadonlyArray<MarkerRemoval>): Promise<void> {
    for (const { orderId, productId, attemptId, step, quantity, reverse } of removals) {
      const stored = this.products.get(productId);
      const at =
        stored?.pending.findIndex(
          (m) => m.orderId === orderId && m.attemptId === attemptId && m.step === step && m.quantity === quantity,
        ) ?? -1;
      if (!stored || at < 0) continue;
      stored.pending.splice(at, 1);
      if (reverse) {
        stored.product.available += quantity;
        stored.product.reserved -= quantity;
      }
    }
  }

  async ordersWithMarkersBefore(before: Date): Promise<string[]> {
    return [...new Set([...this.products.values()].flatMap((s) => s.pending.filter((m) => m.at <= before).map((m) => m.orderId)))];
  }

  async createIfAbsent({ productId, name, initial }: NewProduct): Promise<boolean> {
    if (this.products.has(productId)) return false;
    this.products.set(productId, {
      product: { productId, name, initial, available: initial, reserved: 0, sold: 0, restocked: 0 },
      giveBackSeq: 0,
      pending: [],
    });
    return true;
  }

  async setAvailable(productId: string, expectedAvailable: number, newAvailable: number, name?: string): Promise<Product | null> {
    const stored = this.products.get(productId);
    if (!stored || stored.product.available !== expectedAvailable) return null;
    stored.product.restocked += newAvailable - expectedAvailable;
    stored.product.available = newAvailable;
    if (name !== undefined) stored.product.name = name;
    return { ...stored.product };
  }

  async isEmpty(): Promise<boolean> {
    return this.products.size === 0;
  }
}

import type { NewProduct, Product, ProductForOrder } from '../../src/domain/Product.js';
import type { HoldChange, ProductRepository } from '../../src/services/ports/ProductRepository.js';

interface Stored {
  product: Product;
  /** orderId → its hold. */
  holds: Map<string, { quantity: number; attemptId: string }>;
}

/** In-memory products with the same conditional semantics as the MongoDB repository. */
export class FakeProductRepository implements ProductRepository {
  private readonly products = new Map<string, Stored>();

  constructor(initial: Product[] = []) {
    for (const product of initial) this.products.set(product.productId, { product: { ...product }, holds: new Map() });
  }

  /** Test view: a product's stock and the orders holding it. */
  snapshot(productId: string): (Product & { holds: Record<string, number> }) | undefined {
    const stored = this.products.get(productId);
    return stored && { ...stored.product, holds: Object.fromEntries([...stored.holds].map(([orderId, h]) => [orderId, h.quantity])) };
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
      const hold = stored?.holds.get(orderId);
      return stored ? [{ ...stored.product, heldQuantity: hold?.quantity ?? 0, ...(hold ? { heldBy: hold.attemptId } : {}) }] : [];
    });
  }

  async hold(productId: string, orderId: string, quantity: number, attemptId: string): Promise<boolean> {
    const stored = this.products.get(productId);
    if (!stored || stored.product.available < quantity || stored.holds.has(orderId)) return false;
    stored.product.available -= quantity;
    stored.product.reserved += quantity;
    stored.holds.set(orderId, { quantity, attemptId });
    return true;
  }

  async holdEach(orderId: string, lines: ReadonlyArray<{ productId: string; quantity: number }>, attemptId: string): Promise<void> {
    for (const { productId, quantity } of lines) await this.hold(productId, orderId, quantity, attemptId);
  }

  async takeHolds(orderId: string, changes: ReadonlyArray<HoldChange>): Promise<void> {
    for (const { productId, quantity, attemptId, to } of changes) {
      this.unhold(productId, orderId, quantity, attemptId, (p) => (to === 'available' ? (p.available += quantity) : (p.sold += quantity)));
    }
  }

  async ordersHolding(): Promise<string[]> {
    return [...new Set([...this.products.values()].flatMap((s) => [...s.holds.keys()]))];
  }

  async createIfAbsent({ productId, name, initial }: NewProduct): Promise<boolean> {
    if (this.products.has(productId)) return false;
    this.products.set(productId, {
      product: { productId, name, initial, available: initial, reserved: 0, sold: 0, restocked: 0 },
      holds: new Map(),
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

  private unhold(
    productId: string,
    orderId: string,
    quantity: number,
    attemptId: string | undefined,
    apply: (p: Product) => void,
  ): boolean {
    const stored = this.products.get(productId);
    const hold = stored?.holds.get(orderId);
    if (!stored || hold?.quantity !== quantity || (attemptId !== undefined && hold.attemptId !== attemptId)) return false;
    stored.holds.delete(orderId);
    stored.product.reserved -= quantity;
    apply(stored.product);
    return true;
  }
}

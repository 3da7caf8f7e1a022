import type { Logger } from '@orderplatform/shared/logging';
import { inject, injectable } from 'tsyringe';
import { ConcurrentStockUpdateError } from '../domain/errors/ConcurrentStockUpdateError.js';
import { ProductNotFoundError } from '../domain/errors/ProductNotFoundError.js';
import type { Product } from '../domain/Product.js';
import { TOKENS } from '../tokens.js';
import { DEMO_CATALOG } from './demoCatalog.js';
import type { ProductRepository } from './ports/ProductRepository.js';

export interface StockUpdate {
  name?: string;
  available: number;
}

/** Conditional writes lost to concurrent reservations before giving up with 409. */
const MAX_SET_ATTEMPTS = 20;

/** The catalog and its stock levels: reading, admin restocks, the demo seed. */
@injectable()
export class InventoryService {
  private readonly log: Logger;

  constructor(
    @inject(TOKENS.ProductRepository) private readonly products: ProductRepository,
    @inject(TOKENS.Logger) logger: Logger,
  ) {
    this.log = logger.child({ component: 'inventory' });
  }

  list(): Promise<Product[]> {
    return this.products.list();
  }

  async get(productId: string): Promise<Product> {
    const product = await this.products.findById(productId);
    if (!product) throw new ProductNotFoundError(productId);
    return product;
  }

  /**
   * Creates the product with `available` units (its `initial` stock), or sets an existing product's
   * available units to exactly `available`: the difference (positive for a restock, negative for a
   * write-off) is added to both `available` and `restocked` in one write, so the invariant holds.
   * Reserved and sold units are never touched. The write is conditional on `available` being what
   * was read; if a reservation changed it meanwhile, the difference is computed again.
   */
  async setStock(productId: string, update: StockUpdate): Promise<{ product: Product; created: boolean }> {
    for (let attempt = 1; attempt <= MAX_SET_ATTEMPTS; attempt++) {
      const current = await this.products.findById(productId);
      if (!current) {
        const created = await this.products.createIfAbsent({
          productId,
          name: update.name ?? `Product ${productId}`,
          initial: update.available,
        });
        if (created) {
          this.log.info({ productId, available: update.available }, 'Product created');
          return { product: await this.get(productId), created: true };
        }
        continue; // created concurrently: restock it instead
      }
      const updated = await this.products.setAvailable(productId, current.available, update.available, update.name);
      if (updated) {
        this.log.info({ productId, from: current.available, to: update.available }, 'Stock set');
        return { product: updated, created: false };
      }
    }
    throw new ConcurrentStockUpdateError(productId);
  }

  /** Seeds the demo catalog if there are no products at all; safe when two instances start together. */
  async seedDemoCatalog(): Promise<number> {
    if (!(await this.products.isEmpty())) return 0;
    let created = 0;
    for (const product of DEMO_CATALOG) if (await this.products.createIfAbsent(product)) created += 1;
    if (created > 0) this.log.info({ products: created }, 'Demo catalog seeded');
    return created;
  }
}

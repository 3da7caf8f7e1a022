import type { MarkerRemoval, ProductRepository } from './ports/ProductRepository.js';

/** Orders whose pulls go out together by default: as many as a wave applies side by side. */
const ORDERS_PER_WRITE = 8;

/**
 * The plain marker pulls (a recorded hold marker, a recorded give-back marker: no stock change) of the
 * orders of one consumer wave, written together: one write per product for `ordersPerWrite` orders
 * instead of one per product and order. Orders of a wave touching the same products (a popular
 * catalogue, large orders) then cost the database one product write per line instead of two.
 *
 * Pulling later is safe: a recorded marker is only ever pulled (ReservationService), and no other
 * order's write looks at it. It stays on its product until the wave's `flush`, which the wave handler
 * awaits before the consumer resolves the wave's offsets; a flush that fails fails the wave, and the
 * redelivered events pull again (or the HoldReconciler does, once the markers are older than its grace).
 * Reversals are never deferred: they give units back.
 */
export class MarkerPulls {
  private gathered: MarkerRemoval[] = [];
  private ordersGathered = 0;
  private writing: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly products: ProductRepository,
    private readonly ordersPerWrite = ORDERS_PER_WRITE,
  ) {}

  /** One order's plain pulls; written once `ordersPerWrite` orders have added theirs (one write in flight at a time). */
  add(pulls: ReadonlyArray<MarkerRemoval>): void {
    if (pulls.length === 0) return;
    if (pulls.some((p) => p.reverse)) throw new Error('A reversal is written at once, never deferred');
    this.gathered.push(...pulls);
    this.ordersGathered += 1;
    if (this.ordersGathered >= this.ordersPerWrite) this.writeGathered();
  }

  /** Writes what is left and waits for every write; rejects with the first write's failure. */
  async flush(): Promise<void> {
    if (this.gathered.length > 0) this.writeGathered();
    await this.writing;
    if (this.failure) throw this.failure.error;
  }

  private writeGathered(): void {
    const batch = this.gathered;
    this.gathered = [];
    this.ordersGathered = 0;
    this.writing = this.writing
      .then(() => this.products.removeMarkers(batch))
      .catch((error: unknown) => {
        this.failure ??= { error };
      });
  }
}

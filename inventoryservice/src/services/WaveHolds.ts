import type { HoldRequest, ProductRepository } from './ports/ProductRepository.js';

/** Orders whose first holds go out together at most: as many as a wave applies side by side. */
const ORDERS_PER_WRITE = 8;

interface Waiting extends HoldRequest {
  resolve: (heldEvery: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * The first hold write of each order of one consumer wave (every line, nothing read: ReservationService),
 * gathered while one is in flight and written together with `holdTogether`: one write per product for up
 * to `ordersPerWrite` orders instead of one per product and order. Orders of a wave on the same products
 * (a popular catalogue, large orders) then cost the database one product write per product, not per line.
 *
 * Each order gets the answer `holdEach` would give it, "every line is now held with my marker" or not (it
 * then takes the careful path, which reads what it holds), and the same guarantees: a product's write for
 * its orders is all of their holds or none, each one conditional on the order having no marker there.
 * Nothing is deferred past the answer, so the offsets wait for nothing here. A failed write fails every
 * order in it; their events are redelivered.
 */
export class WaveHolds {
  private gathered: Waiting[] = [];
  private writing = false;
  private scheduled = false;

  constructor(
    private readonly products: ProductRepository,
    private readonly ordersPerWrite = ORDERS_PER_WRITE,
  ) {}

  /** Holds every line as `attemptId` if each is in stock and unmarked; true when every line now carries this attempt's marker. */
  holdAll(orderId: string, lines: HoldRequest['lines'], attemptId: string): Promise<boolean> {
    // A wave holds one event per order; should an order come twice, its second write must not join its first.
    if (this.gathered.some((w) => w.orderId === orderId))
      return this.products.holdEach(orderId, lines, attemptId).then((took) => took === lines.length);
    return new Promise((resolve, reject) => {
      this.gathered.push({ orderId, attemptId, lines, resolve, reject });
      this.schedule();
    });
  }

  /** The next write after the current turn (so that orders arriving together go together), one in flight at a time. */
  private schedule(): void {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.write();
    });
  }

  private async write(): Promise<void> {
    const batch = this.gathered.splice(0, this.ordersPerWrite);
    if (batch.length === 0) return;
    this.writing = true;
    try {
      const heldEvery = await this.products.holdTogether(batch);
      for (const waiting of batch) waiting.resolve(heldEvery.has(waiting.orderId));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    } finally {
      this.writing = false;
      if (this.gathered.length > 0) this.schedule();
    }
  }
}

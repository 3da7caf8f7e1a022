import type { DomainEvent } from '@orderplatform/shared';
import type { NewProduct, Product, ProductForOrder, ProductRepository } from '../../src/services/ports/ProductRepository.js';
import type { Reservation, ReservationRepository, ReservationStatus, StockLine, TransitionChanges } from '../../src/services/ports/ReservationRepository.js';

export class SimulatedCrash extends Error {
  constructor(readonly afterWrite: number) {
    super(`simulated crash after write #${afterWrite}`);
    this.name = 'SimulatedCrash';
  }
}

/**
 * Counts the writes of both repositories; the N-th write is performed and then the process "dies"
 * (throws), so the next run starts from exactly the state a crash after that write would leave.
 * With crashAfter = Infinity it only counts.
 */
export class CrashSwitch {
  writes = 0;
  constructor(readonly crashAfter: number) {}

  async write<T>(perform: () => Promise<T>): Promise<T> {
    const result = await perform();
    this.writes += 1;
    if (this.writes === this.crashAfter) throw new SimulatedCrash(this.writes);
    return result;
  }
}

export class CrashingProductRepository implements ProductRepository {
  constructor(
    private readonly inner: ProductRepository,
    private readonly crash: CrashSwitch,
  ) {}

  list(): Promise<Product[]> {
    return this.inner.list();
  }
  findById(productId: string): Promise<Product | null> {
    return this.inner.findById(productId);
  }
  findForOrder(productIds: string[], orderId: string): Promise<ProductForOrder[]> {
    return this.inner.findForOrder(productIds, orderId);
  }
  isEmpty(): Promise<boolean> {
    return this.inner.isEmpty();
  }
  hold(productId: string, orderId: string, quantity: number): Promise<boolean> {
    return this.crash.write(() => this.inner.hold(productId, orderId, quantity));
  }
  release(productId: string, orderId: string, quantity: number): Promise<boolean> {
    return this.crash.write(() => this.inner.release(productId, orderId, quantity));
  }
  sell(productId: string, orderId: string, quantity: number): Promise<boolean> {
    return this.crash.write(() => this.inner.sell(productId, orderId, quantity));
  }
  createIfAbsent(product: NewProduct): Promise<boolean> {
    return this.crash.write(() => this.inner.createIfAbsent(product));
  }
  setAvailable(productId: string, expectedAvailable: number, newAvailable: number, name?: string): Promise<Product | null> {
    return this.crash.write(() => this.inner.setAvailable(productId, expectedAvailable, newAvailable, name));
  }
}

export class CrashingReservationRepository implements ReservationRepository {
  constructor(
    private readonly inner: ReservationRepository,
    private readonly crash: CrashSwitch,
  ) {}

  findByOrderId(orderId: string): Promise<Reservation | null> {
    return this.inner.findByOrderId(orderId);
  }
  openOrGet(orderId: string, reservationId: string, lines: StockLine[]): Promise<Reservation> {
    return this.crash.write(() => this.inner.openOrGet(orderId, reservationId, lines));
  }
  tombstoneOrGet(orderId: string, reservationId: string): Promise<Reservation> {
    return this.crash.write(() => this.inner.tombstoneOrGet(orderId, reservationId));
  }
  transition(orderId: string, from: ReservationStatus[], to: ReservationStatus, changes: TransitionChanges, events: DomainEvent[]): Promise<Reservation | null> {
    return this.crash.write(() => this.inner.transition(orderId, from, to, changes, events));
  }
}

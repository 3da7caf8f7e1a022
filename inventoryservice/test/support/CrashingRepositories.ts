import type { DomainEvent } from '@orderplatform/shared/contracts';
import type { DependencyContainer } from 'tsyringe';
import type { NewProduct, Product, ProductForOrder } from '../../src/domain/Product.js';
import type { Reservation, ReservationStatus, StockLine } from '../../src/domain/Reservation.js';
import type { GiveBack, HoldRequest, MarkerRemoval, ProductRepository } from '../../src/services/ports/ProductRepository.js';
import type { ReservationRepository, TransitionChanges } from '../../src/services/ports/ReservationRepository.js';
import type { ReservationService } from '../../src/services/ReservationService.js';
import { TOKENS } from '../../src/tokens.js';

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

/**
 * A CrashSwitch that also lets another run cut in: `cutIns[N]` runs right before the N-th write is
 * performed (the other run uses healthy repositories), so a test can put a whole concurrent
 * handler exactly between this run's read and its next write.
 */
export class InterleavingSwitch extends CrashSwitch {
  constructor(
    private readonly cutIns: Record<number, () => Promise<unknown>>,
    crashAfter = Infinity,
  ) {
    super(crashAfter);
  }

  override async write<T>(perform: () => Promise<T>): Promise<T> {
    await this.cutIns[this.writes + 1]?.();
    return super.write(perform);
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
  ordersWithMarkersBefore(before: Date): Promise<string[]> {
    return this.inner.ordersWithMarkersBefore(before);
  }
  hold(productId: string, orderId: string, quantity: number, attemptId: string): Promise<boolean> {
    return this.crash.write(() => this.inner.hold(productId, orderId, quantity, attemptId));
  }
  holdEach(orderId: string, lines: ReadonlyArray<{ productId: string; quantity: number }>, attemptId: string): Promise<number> {
    // An empty batch writes nothing: no crash point.
    return lines.length === 0
      ? this.inner.holdEach(orderId, lines, attemptId)
      : this.crash.write(() => this.inner.holdEach(orderId, lines, attemptId));
  }
  holdTogether(requests: ReadonlyArray<HoldRequest>): Promise<Set<string>> {
    return requests.every((r) => r.lines.length === 0)
      ? this.inner.holdTogether(requests)
      : this.crash.write(() => this.inner.holdTogether(requests));
  }
  giveBackEach(orderId: string, giveBacks: ReadonlyArray<GiveBack>): Promise<number> {
    return giveBacks.length === 0
      ? this.inner.giveBackEach(orderId, giveBacks)
      : this.crash.write(() => this.inner.giveBackEach(orderId, giveBacks));
  }
  removeMarkers(removals: ReadonlyArray<MarkerRemoval>): Promise<void> {
    return removals.length === 0 ? this.inner.removeMarkers(removals) : this.crash.write(() => this.inner.removeMarkers(removals));
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
  findByOrderIds(orderIds: string[]): Promise<Reservation[]> {
    return this.inner.findByOrderIds(orderIds);
  }
  findHolding(statuses: readonly ReservationStatus[]): Promise<Reservation[]> {
    return this.inner.findHolding(statuses);
  }
  recordGivenBack(orderId: string, productIds: string[]): Promise<void> {
    return productIds.length === 0
      ? this.inner.recordGivenBack(orderId, productIds)
      : this.crash.write(() => this.inner.recordGivenBack(orderId, productIds));
  }
  openOrGet(orderId: string, reservationId: string, lines: StockLine[]): Promise<Reservation> {
    return this.crash.write(() => this.inner.openOrGet(orderId, reservationId, lines));
  }
  tombstoneOrGet(orderId: string, reservationId: string): Promise<Reservation> {
    return this.crash.write(() => this.inner.tombstoneOrGet(orderId, reservationId));
  }
  transition(
    orderId: string,
    from: ReservationStatus[],
    to: ReservationStatus,
    changes: TransitionChanges,
    events: DomainEvent[],
  ): Promise<Reservation | null> {
    return this.crash.write(() => this.inner.transition(orderId, from, to, changes, events));
  }
}

/** The real service of `container` on its repositories wrapped with `crash` (a crash or interleaving switch). */
export function serviceThrough(container: DependencyContainer, crash: CrashSwitch): ReservationService {
  const child = container.createChildContainer();
  child.registerInstance(
    TOKENS.ProductRepository,
    new CrashingProductRepository(container.resolve<ProductRepository>(TOKENS.ProductRepository), crash),
  );
  child.registerInstance(
    TOKENS.ReservationRepository,
    new CrashingReservationRepository(container.resolve<ReservationRepository>(TOKENS.ReservationRepository), crash),
  );
  return child.resolve<ReservationService>(TOKENS.ReservationService);
}

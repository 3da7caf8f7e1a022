import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import type { Shortfall } from '@orderplatform/shared/contracts';
import { PermanentError } from '@orderplatform/shared/errors';
import type { Logger } from '@orderplatform/shared/logging';
import { inject, injectable } from 'tsyringe';
import type { PendingMarker, ProductForOrder } from '../domain/Product.js';
import { ReservationNotFoundError } from '../domain/errors/ReservationNotFoundError.js';
import type { MarkerPulls } from './MarkerPulls.js';
import type { WaveHolds } from './WaveHolds.js';
import { HOLDS_NOTHING, type HeldLine, type Reservation, type ReservationFailure, type StockLine } from '../domain/Reservation.js';
import { TOKENS } from '../tokens.js';
import { mergeLines } from './mergeLines.js';
import type { InventoryEvents } from './ports/InventoryEvents.js';
import type { GiveBack, MarkerRemoval, ProductRepository } from './ports/ProductRepository.js';
import type { ReservationRepository } from './ports/ReservationRepository.js';

export interface OrderToReserve {
  orderId: string;
  items: ReadonlyArray<StockLine>;
}

type LineState = { kind: 'held'; attemptId: string } | { kind: 'available' } | { kind: 'short'; shortfall: Shortfall };
/** What the hold steps found, with the products as last read (markers included) for the settle step. */
type HoldOutcome =
  | { failure: ReservationFailure; products: ProductForOrder[] }
  /** `products` undefined: this attempt took every line in its first write, so its own markers are the order's only ones. */
  | { failure?: undefined; held: HeldLine[]; products?: ProductForOrder[] };

/** Hold attempts on one line that may lose to concurrent changes before the handler retries later. */
const MAX_HOLD_ATTEMPTS = 10;
/** Give-back rounds that may lose to other orders' give-backs on the same products before the handler retries later. */
const MAX_GIVE_BACK_ATTEMPTS = 10;

const holdMarkerOf = (product: ProductForOrder | undefined): PendingMarker | undefined => product?.pending.find((m) => m.step === 'hold');
const giveBackMarkerOf = (product: ProductForOrder | undefined): PendingMarker | undefined =>
  product?.pending.find((m) => m.step !== 'hold');
/** The marker a hold write pushes (the repository stamps its own `at`; this one stands for it in memory). */
const holdMarker = (orderId: string, attemptId: string, quantity: number): PendingMarker => ({
  orderId,
  attemptId,
  quantity,
  step: 'hold',
  at: new Date(),
});
/** `products` after `lines` were held as `attemptId` (what the hold writes did to each; the give-back fences unchanged). */
const withHolds = (
  products: ReadonlyMap<string, ProductForOrder>,
  orderId: string,
  lines: ReadonlyArray<StockLine>,
  attemptId: string,
): Map<string, ProductForOrder> => {
  const after = new Map(products);
  for (const { productId, quantity } of lines) {
    const product = after.get(productId)!;
    after.set(productId, {
      ...product,
      available: product.available - quantity,
      reserved: product.reserved + quantity,
      pending: [...product.pending, holdMarker(orderId, attemptId, quantity)],
    });
  }
  return after;
};
const removalOf = (productId: string, { orderId, attemptId, step, quantity }: PendingMarker, reverse: boolean): MarkerRemoval => ({
  orderId,
  productId,
  attemptId,
  step,
  quantity,
  reverse,
});

/**
 * The order's stock, all lines or none, with single-document conditional writes only. The reservation
 * document is the saga log AND the ledger of what the order holds; a product document keeps only its
 * counters, a give-back fence (`giveBackSeq`) and in-flight markers (`pending`: at most one hold and one
 * give-back marker per order, each pulled once the reservation records its step), so a product's size
 * does not grow with its open orders. Any run can stop after any write; a re-run (redelivery) or the
 * HoldReconciler resumes from what the two documents say.
 *
 * Reserve (attempt A, one round trip per step for all lines):
 * 1. product: {available ≥ q, no marker of the order} → available −q, reserved +q, push hold marker {A}.
 * 2. when that write took every line, each carries A's marker and nothing needs reading; otherwise read
 *    back. The decision is ONE conditional write (status RESERVING → RESERVED) that also records,
 *    per line, the attempt of the hold marker now on the product (`held`: A's own, or an earlier or
 *    concurrent run's — adopted, "counted as that run's") and starts every line `holding`; with its event
 *    (outbox). A line with no marker and available < q is short: FAILED, which records nothing (so the
 *    holds step 1 took on the other lines are strays, reversed when the decision is settled).
 * 3. product: pull the recorded hold markers (no stock change; in a consumer wave, together with the
 *    wave's other orders' pulls: MarkerPulls).
 * While RESERVING nothing is recorded, and an unrecorded hold marker is only ever removed by reversing
 * it once the reservation left RESERVING; so every marker the decision records is on its product when
 * the decision is written, each line counts exactly one hold, and two runs can never both decide.
 *
 * Stray holds. A run that read RESERVING can still push a hold after another run decided (a stale
 * consumer whose partition moved in a rebalance). No single-document write can refuse it (the hold is on
 * the product, the status on the reservation), so it is made recognisable instead: a hold marker of an
 * order whose reservation is no longer RESERVING and does not record that attempt for that line is a
 * stray, and whoever sees it reverses it (that exact marker present → units back, marker pulled) — the
 * stale run itself when its decision write loses, a redelivery, or the HoldReconciler once the marker is
 * older than its grace. Reversing a hold is always safe; a recorded marker is only ever pulled.
 *
 * Give back (to available after FAILED/RELEASED/CANCELLED_BEFORE_RESERVE, to sold after SOLD), run R:
 * 1. read the products FIRST (markers, giveBackSeq s), THEN the reservation (`holding`);
 * 2. a line not `holding` any more → only pull a leftover give-back marker;
 * 3. a give-back marker of the order on the product → someone applied it: go to 5;
 * 4. product: {giveBackSeq: s, no give-back marker of the order} → units to available | sold,
 *    reserved −q, giveBackSeq +1, push give-back marker {R}; a miss → read again (1) and retry (bounded,
 *    then a transient error: the consumer backs off and redelivers);
 * 5. reservation: record the line given back (no longer `holding`; idempotent); 6. product: pull the marker.
 * A stale run cannot give back twice: every give-back push of the order bumps its fence (`giveBackSeq`: a
 * few counters per product, the order's chosen by a hash of its id, so other orders' give-backs rarely
 * get in the way), so R's push applies only if none happened since R's product read; R's reservation read came after that product read, so another
 * run's give-back was either still marked on the product (3), or recorded (2), or it pushed after R's
 * read and R's push fails on the seq. A give-back is never reversed (that could make available
 * negative) — it is only completed. Together: initial + restocked = available + reserved + sold with
 * available ≥ 0 at every write, nothing is held twice, given back twice or left held.
 */
@injectable()
export class ReservationService {
  private readonly log: Logger;

  constructor(
    @inject(TOKENS.ProductRepository) private readonly products: ProductRepository,
    @inject(TOKENS.ReservationRepository) private readonly reservations: ReservationRepository,
    @inject(TOKENS.InventoryEvents) private readonly events: InventoryEvents,
    @inject(TOKENS.Logger) logger: Logger,
  ) {
    this.log = logger.child({ component: 'reservations' });
  }

  async get(orderId: string): Promise<Reservation> {
    const reservation = await this.reservations.findByOrderId(orderId);
    if (!reservation) throw new ReservationNotFoundError(orderId);
    return reservation;
  }

  /**
   * OrderPlaced: reserve every line or none, then InventoryReserved or InventoryFailed. With `pulls`
   * (a consumer wave's), the plain marker pulls are left to it; without, they are written here. With
   * `holds` (the wave's too), the first hold write goes out with the wave's other orders'.
   */
  async reserve(order: OrderToReserve, pulls?: MarkerPulls, holds?: WaveHolds): Promise<Reservation> {
    const { orderId } = order;
    const opened = await this.reservations.openOrGet(orderId, randomUUID(), mergeLines(order.items));
    if (opened.status !== 'RESERVING') {
      // Redelivery of a decided order, or a cancel that came first (tombstone): decide nothing again.
      this.log.info({ orderId, status: opened.status }, 'Reservation already decided; not reserving again');
      await this.settle(opened, pulls);
      return opened;
    }
    const outcome = await this.holdAll(opened, randomUUID(), holds);
    const decided = outcome.failure
      ? await this.reservations.transition(orderId, ['RESERVING'], 'FAILED', { failure: outcome.failure }, [
          this.events.failed(orderId, outcome.failure),
        ])
      : await this.reservations.transition(orderId, ['RESERVING'], 'RESERVED', { held: outcome.held }, [this.events.reserved(opened)]);
    // Decided here: the products as holdAll left them serve the settle step (no further read); when the
    // first write took every line, the markers to pull are that write's. Lost to another run (or a
    // cancel): settle from a fresh read, products first, as any redelivery would.
    const current = decided ?? (await this.mustFind(orderId));
    if (decided && outcome.products) await this.settleFrom(decided, outcome.products, pulls);
    else if (decided) await this.pullOwnHolds(decided, pulls);
    else await this.settle(current, pulls);
    this.log.info(
      { orderId, reservationId: current.reservationId, status: current.status, reason: current.failure?.reason },
      'Reservation decided',
    );
    return current;
  }

  /** OrderCancelled: give a reservation's stock back (compensation) and say so with InventoryReleased. */
  async release(orderId: string, reason: string, pulls?: MarkerPulls): Promise<Reservation> {
    // No reservation yet: leave a tombstone so a late OrderPlaced reserves nothing.
    let current = (await this.reservations.findByOrderId(orderId)) ?? (await this.reservations.tombstoneOrGet(orderId, randomUUID()));
    if (current.status !== 'RESERVED' && current.status !== 'RESERVING') {
      if (current.status === 'SOLD') this.log.warn({ orderId }, 'Order cancelled after it shipped; sold stock stays sold');
      await this.settle(current, pulls);
      return current;
    }
    // The products first: the transition below is then a reservation read that came after them.
    const products = await this.products.findForOrder(
      current.lines.map((l) => l.productId),
      orderId,
    );
    // A lost conditional write means a concurrent run moved the status on (RESERVING → RESERVED, or
    // RESERVED → SOLD): act on the new status. Statuses only move forward, so this ends in ≤ 3 rounds.
    while (current.status === 'RESERVED' || current.status === 'RESERVING') {
      const moved =
        current.status === 'RESERVED'
          ? await this.reservations.transition(orderId, ['RESERVED'], 'RELEASED', { releaseReason: reason }, [
              this.events.released(current, reason),
            ])
          : // An unfinished reservation (its OrderPlaced never completed): it will never be confirmed; no event.
            await this.reservations.transition(orderId, ['RESERVING'], 'CANCELLED_BEFORE_RESERVE', { releaseReason: reason }, []);
      current = moved ?? (await this.mustFind(orderId));
    }
    if (current.status === 'SOLD') this.log.warn({ orderId }, 'Order cancelled after it shipped; sold stock stays sold');
    await this.settleFrom(current, products, pulls);
    this.log.info({ orderId, status: current.status, reason }, 'Cancellation handled');
    return current;
  }

  /** OrderShipped: the order's reserved stock becomes sold stock. */
  async ship(orderId: string, pulls?: MarkerPulls): Promise<Reservation> {
    const existing = await this.reservations.findByOrderId(orderId);
    if (!existing) throw new PermanentError(`Order ${orderId} shipped but has no reservation`);
    if (existing.status !== 'RESERVED' && existing.status !== 'SOLD')
      throw new PermanentError(`Order ${orderId} shipped but its reservation is ${existing.status}`);
    // The products first, then the reservation (the transition's answer, or a read): see give back, step 1.
    const products = await this.products.findForOrder(
      existing.lines.map((l) => l.productId),
      orderId,
    );
    const current =
      (existing.status === 'RESERVED' ? await this.reservations.transition(orderId, ['RESERVED'], 'SOLD', {}, []) : null) ??
      (await this.mustFind(orderId));
    if (current.status !== 'SOLD') throw new PermanentError(`Order ${orderId} shipped but its reservation is ${current.status}`);
    await this.settleFrom(current, products, pulls);
    this.log.info({ orderId, reservationId: current.reservationId }, 'Reserved stock sold');
    return current;
  }

  /**
   * The idempotent follow-up of a decided status (see the class comment): pulls the order's recorded
   * hold markers and reverses stray ones, and an ended reservation gives back every line still
   * `holding` (to sold for SOLD, to available otherwise) and completes give-backs left half done.
   * RESERVING is left alone. Run by redeliveries and the HoldReconciler.
   */
  async settle(reservation: Reservation, pulls?: MarkerPulls): Promise<void> {
    const { orderId, lines, status } = reservation;
    if (status === 'RESERVING' || lines.length === 0) return;
    const products = await this.products.findForOrder(
      lines.map((l) => l.productId),
      orderId,
    );
    // A line given back never holds again, so an ended reservation holding nothing needs no read after the products.
    const mustGiveBack = status !== 'RESERVED' && reservation.holding.length > 0;
    await this.settleFrom(mustGiveBack ? await this.mustFind(orderId) : reservation, products, pulls);
  }

  /** `settle` on products read BEFORE `reservation` was (the give-back fence needs that order). */
  private async settleFrom(reservation: Reservation, products: ProductForOrder[], pulls: MarkerPulls | undefined): Promise<void> {
    const { status } = reservation;
    if (status === 'RESERVING') return;
    const counted = new Map(reservation.held.map((h) => [h.productId, h.attemptId]));
    // Not RESERVING: `held` is final, so a hold marker it does not record is a stray, for good.
    const removals = new Map<string, MarkerRemoval>();
    const remove = (r: MarkerRemoval) => removals.set(`${r.productId}/${r.step}/${r.attemptId}`, r);
    for (const product of products) {
      const marker = holdMarkerOf(product);
      if (marker) remove(removalOf(product.productId, marker, counted.get(product.productId) !== marker.attemptId));
    }
    if (status !== 'RESERVED') await this.giveBack(reservation, products, remove);
    await this.removeMarkers([...removals.values()], pulls);
  }

  /**
   * `settleFrom` for a RESERVED decision whose attempt took every line in its first hold write: on each
   * line that write pushed the order's only marker (the hold's filter admits no second one, and nothing
   * else of the order is pushed while RESERVING), and `held` records exactly those, so they are pulled.
   */
  private async pullOwnHolds({ orderId, lines, held }: Reservation, pulls: MarkerPulls | undefined): Promise<void> {
    const quantities = new Map(lines.map((l) => [l.productId, l.quantity]));
    const marker = (productId: string, attemptId: string) => holdMarker(orderId, attemptId, quantities.get(productId)!);
    await this.removeMarkers(
      held.map(({ productId, attemptId }) => removalOf(productId, marker(productId, attemptId), false)),
      pulls,
    );
  }

  private async removeMarkers(removals: MarkerRemoval[], pulls: MarkerPulls | undefined): Promise<void> {
    if (removals.length === 0) return;
    if (!pulls) return this.products.removeMarkers(removals);
    // Plain pulls go out with the wave's; reversals give units back, so they are written now.
    pulls.add(removals.filter((r) => !r.reverse));
    const reversals = removals.filter((r) => r.reverse);
    if (reversals.length > 0) await this.products.removeMarkers(reversals);
  }

  /** Give back, steps 1–5 (the class comment); step 6's pulls go to `remove`. */
  private async giveBack(first: Reservation, firstProducts: ProductForOrder[], remove: (r: MarkerRemoval) => void): Promise<void> {
    const { orderId, lines } = first;
    const step = first.status === 'SOLD' ? 'sell' : HOLDS_NOTHING.includes(first.status) ? 'release' : undefined;
    if (step === undefined) return;
    const runId = randomUUID();
    let current = first;
    let products = new Map(firstProducts.map((p) => [p.productId, p]));
    for (let attempt = 1; attempt <= MAX_GIVE_BACK_ATTEMPTS; attempt++) {
      for (const product of products.values()) {
        const marker = giveBackMarkerOf(product);
        // Step 2: recorded already, only the marker is left.
        if (marker && !current.holding.includes(product.productId)) remove(removalOf(product.productId, marker, false));
      }
      const applied: string[] = [];
      const pushes: GiveBack[] = [];
      for (const productId of current.holding) {
        const product = products.get(productId);
        if (!product) throw new Error(`Product ${productId} of order ${orderId} vanished`); // products are never deleted
        const marker = giveBackMarkerOf(product);
        if (marker) {
          applied.push(productId); // step 3
          remove(removalOf(productId, marker, false));
          continue;
        }
        const { quantity } = lines.find((l) => l.productId === productId)!;
        pushes.push({ productId, quantity, step, attemptId: runId, expectedSeq: product.giveBackSeq });
      }
      const pushed = pushes.length > 0 ? await this.products.giveBackEach(orderId, pushes) : 0;
      const allPushed = pushed === pushes.length;
      if (allPushed)
        for (const g of pushes) {
          applied.push(g.productId);
          remove({ orderId, productId: g.productId, attemptId: runId, step, quantity: g.quantity, reverse: false });
        }
      if (applied.length > 0) await this.reservations.recordGivenBack(orderId, applied); // step 5
      if (allPushed) return;
      // Some push missed (another give-back on that product since the read): read again, products first.
      products = new Map(
        (
          await this.products.findForOrder(
            pushes.map((g) => g.productId),
            orderId,
          )
        ).map((p) => [p.productId, p]),
      );
      current = await this.mustFind(orderId);
      await setTimeout(Math.random() * 5 * attempt); // others' give-backs on a hot product: spread the retries
    }
    // Transient: the consumer retries the event with backoff (or the reconciler later), and the re-run resumes here.
    throw new Error(`Stock of order ${orderId}'s products kept changing while giving it back`);
  }

  /**
   * Holds every line as `attemptId`: first all lines in one round trip with nothing read. When a line
   * missed, reads the products: a line already short fails the order (every line is then only checked,
   * for the report; what the first write took is left to be reversed); otherwise the lines still without
   * a hold marker of the order are held in one round trip and read back, and a line that missed again (a
   * concurrent change) goes through `holdLine` on its own. When all are held, says which attempt's hold
   * each line counts on.
   */
  private async holdAll({ orderId, lines }: Reservation, attemptId: string, holds: WaveHolds | undefined): Promise<HoldOutcome> {
    // The usual case, one write and no read: every line in stock and free of the order's markers (a first
    // delivery). A line that misses (short, unknown, held by an earlier run, a race) sends the order through
    // the careful path below, which reads first and counts what this write took as held; a failure then
    // leaves this write's holds unrecorded, and settling the decision reverses them (strays).
    const tookEvery = holds
      ? await holds.holdAll(orderId, lines, attemptId)
      : (await this.products.holdEach(orderId, lines, attemptId)) === lines.length;
    if (tookEvery) return { held: lines.map(({ productId }) => ({ productId, attemptId })) };
    const productIds = lines.map((l) => l.productId);
    const before = new Map((await this.products.findForOrder(productIds, orderId)).map((p) => [p.productId, p]));
    const unknownProductIds = productIds.filter((id) => !before.has(id));
    // Products are never deleted, so an unknown product fails the order before anything is held.
    if (unknownProductIds.length > 0) return { failure: { reason: 'UNKNOWN_PRODUCT', unknownProductIds }, products: [...before.values()] };

    const shortfalls: Shortfall[] = lines.flatMap(({ productId, quantity }) => {
      const product = before.get(productId)!;
      return !holdMarkerOf(product) && product.available < quantity
        ? [{ productId, requested: quantity, available: product.available }]
        : [];
    });
    if (shortfalls.length > 0) return { failure: { reason: 'INSUFFICIENT_STOCK', shortfalls }, products: [...before.values()] };

    const toHold = lines.filter((l) => !holdMarkerOf(before.get(l.productId)));
    const took = await this.products.holdEach(orderId, toHold, attemptId);
    // Every line taken by this call: each now carries this attempt's marker, so there is nothing to read back.
    const after =
      took === toHold.length
        ? withHolds(before, orderId, toHold, attemptId)
        : new Map((await this.products.findForOrder(productIds, orderId)).map((p) => [p.productId, p]));
    const held: HeldLine[] = [];
    for (const line of lines) {
      const marker = holdMarkerOf(after.get(line.productId));
      const state: LineState = marker
        ? { kind: 'held', attemptId: marker.attemptId }
        : shortfalls.length === 0
          ? await this.holdLine(orderId, line, attemptId, after)
          : await this.lineState(orderId, line, after);
      if (state.kind === 'short') shortfalls.push(state.shortfall);
      else if (state.kind === 'held') held.push({ productId: line.productId, attemptId: state.attemptId });
    }
    const products = [...after.values()];
    return shortfalls.length > 0 ? { failure: { reason: 'INSUFFICIENT_STOCK', shortfalls }, products } : { held, products };
  }

  /**
   * A missed hold is either an earlier (or concurrent) run's hold (done: counted as that run's), a real
   * shortfall, or a race to try again. Keeps `seen` up to date with what it learns of the product.
   */
  private async holdLine(orderId: string, line: StockLine, attemptId: string, seen: Map<string, ProductForOrder>): Promise<LineState> {
    for (let attempt = 1; attempt <= MAX_HOLD_ATTEMPTS; attempt++) {
      if (await this.products.hold(line.productId, orderId, line.quantity, attemptId)) {
        const product = seen.get(line.productId);
        if (product) seen.set(line.productId, { ...product, pending: [...product.pending, holdMarker(orderId, attemptId, line.quantity)] });
        return { kind: 'held', attemptId };
      }
      const state = await this.lineState(orderId, line, seen);
      if (state.kind !== 'available') return state;
    }
    // Transient: the consumer retries the event with backoff, and the re-run resumes here.
    throw new Error(`Stock of product ${line.productId} kept changing while reserving order ${orderId}`);
  }

  private async lineState(orderId: string, line: StockLine, seen: Map<string, ProductForOrder>): Promise<LineState> {
    const [product] = await this.products.findForOrder([line.productId], orderId);
    if (product) seen.set(line.productId, product);
    const marker = holdMarkerOf(product);
    if (marker) return { kind: 'held', attemptId: marker.attemptId };
    const available = product?.available ?? 0;
    if (available >= line.quantity) return { kind: 'available' };
    return { kind: 'short', shortfall: { productId: line.productId, requested: line.quantity, available } };
  }

  private async mustFind(orderId: string): Promise<Reservation> {
    const reservation = await this.reservations.findByOrderId(orderId);
    // Reservations are never deleted; a miss right after a failed conditional write is transient.
    if (!reservation) throw new Error(`Reservation of order ${orderId} vanished`);
    return reservation;
  }
}

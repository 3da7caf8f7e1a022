import { randomUUID } from 'node:crypto';
import type { Shortfall } from '@orderplatform/shared/contracts';
import { PermanentError } from '@orderplatform/shared/errors';
import type { Logger } from '@orderplatform/shared/logging';
import { inject, injectable } from 'tsyringe';
import { ReservationNotFoundError } from '../domain/errors/ReservationNotFoundError.js';
import { HOLDS_NOTHING, type HeldLine, type Reservation, type ReservationFailure, type StockLine } from '../domain/Reservation.js';
import { TOKENS } from '../tokens.js';
import { mergeLines } from './mergeLines.js';
import type { InventoryEvents } from './ports/InventoryEvents.js';
import type { HoldChange, ProductRepository } from './ports/ProductRepository.js';
import type { ReservationRepository } from './ports/ReservationRepository.js';

export interface OrderToReserve {
  orderId: string;
  items: ReadonlyArray<StockLine>;
}

type LineState = { kind: 'held'; attemptId?: string } | { kind: 'available' } | { kind: 'short'; shortfall: Shortfall };
type HoldOutcome = { failure: ReservationFailure } | { failure?: undefined; heldBy: HeldLine[] };

/** Hold attempts on one line that may lose to concurrent changes before the handler retries later. */
const MAX_HOLD_ATTEMPTS = 10;

/**
 * The order's stock, all lines or none, with single-document writes only. The reservation document
 * is the saga log: its status is decided by ONE conditional write that also carries the outcome
 * event (outbox). Per-product steps are idempotent conditional updates keyed by the order (holds),
 * so any run can stop after any write and a re-run (redelivery) resumes from the status:
 * - RESERVING: the hold steps run again (an existing hold counts as done), then the decision write;
 * - decided: nothing is decided again; only the idempotent follow-up (release/sell the holds) re-runs.
 * The decision is written BEFORE compensating, so two concurrent runs can never both decide, and the
 * loser of the decision write converges to the winner's status.
 *
 * Stray holds. A run that read RESERVING can still hold a line after another run decided (a stale
 * consumer whose partition moved in a rebalance, frozen between its read and its hold): the hold
 * lands on a FAILED/RELEASED/CANCELLED reservation, or on a SOLD one whose own hold was already sold.
 * No single-document write can refuse it (the hold is on the product, the status on the
 * reservation), so such a hold is made recognisable instead and given back by whoever sees it:
 * - every hold carries the id of the reserve attempt that took it, and the RESERVED decision records
 *   the attempt of each line's hold it counted on (`heldBy`); in RESERVED every line holds exactly
 *   that hold (one hold per order and product, and nothing releases a hold before the decision);
 * - `settle` releases every hold of a reservation that must hold nothing, and for SOLD sells the
 *   counted holds and releases any other: the stale run does this itself when its decision write
 *   loses, and the HoldReconciler sweeps the holds of ended reservations for a run that died first.
 * Only the counted hold can ever be sold, so a stray hold is never sold twice and the stock
 * invariant holds with no hold left behind.
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

  /** OrderPlaced: reserve every line or none, then InventoryReserved or InventoryFailed. */
  async reserve(order: OrderToReserve): Promise<Reservation> {
    const { orderId } = order;
    const opened = await this.reservations.openOrGet(orderId, randomUUID(), mergeLines(order.items));
    if (opened.status !== 'RESERVING') {
      // Redelivery of a decided order, or a cancel that came first (tombstone): decide nothing again.
      this.log.info({ orderId, status: opened.status }, 'Reservation already decided; not reserving again');
      await this.settle(opened);
      return opened;
    }
    const held = await this.holdAll(opened, randomUUID());
    const decided = held.failure
      ? await this.reservations.transition(orderId, ['RESERVING'], 'FAILED', { failure: held.failure }, [
          this.events.failed(orderId, held.failure),
        ])
      : await this.reservations.transition(orderId, ['RESERVING'], 'RESERVED', { heldBy: held.heldBy }, [this.events.reserved(opened)]);
    const current = decided ?? (await this.mustFind(orderId));
    await this.settle(current);
    this.log.info(
      { orderId, reservationId: current.reservationId, status: current.status, reason: current.failure?.reason },
      'Reservation decided',
    );
    return current;
  }

  /** OrderCancelled: give a reservation's stock back (compensation) and say so with InventoryReleased. */
  async release(orderId: string, reason: string): Promise<Reservation> {
    // No reservation yet: leave a tombstone so a late OrderPlaced reserves nothing.
    let current = (await this.reservations.findByOrderId(orderId)) ?? (await this.reservations.tombstoneOrGet(orderId, randomUUID()));
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
    await this.settle(current);
    this.log.info({ orderId, status: current.status, reason }, 'Cancellation handled');
    return current;
  }

  /** OrderShipped: the order's reserved stock becomes sold stock. */
  async ship(orderId: string): Promise<Reservation> {
    const existing = await this.reservations.findByOrderId(orderId);
    if (!existing) throw new PermanentError(`Order ${orderId} shipped but has no reservation`);
    const current =
      existing.status === 'RESERVED'
        ? ((await this.reservations.transition(orderId, ['RESERVED'], 'SOLD', {}, [])) ?? (await this.mustFind(orderId)))
        : existing;
    if (current.status !== 'SOLD') throw new PermanentError(`Order ${orderId} shipped but its reservation is ${current.status}`);
    await this.settle(current);
    this.log.info({ orderId, reservationId: current.reservationId }, 'Reserved stock sold');
    return current;
  }

  /**
   * The idempotent follow-up of a decided status (see the class comment on stray holds): a
   * reservation that must hold nothing releases whatever its order still holds (compensation after
   * FAILED, release after RELEASED, or a stray hold); SOLD sells the holds the decision counted on
   * and releases any other. RESERVING and RESERVED are left alone. Also run by the HoldReconciler.
   */
  async settle(reservation: Reservation): Promise<void> {
    const { orderId, lines, status } = reservation;
    if (HOLDS_NOTHING.includes(status)) {
      await this.products.takeHolds(
        orderId,
        lines.map(({ productId, quantity }) => ({ productId, quantity, to: 'available' })),
      );
      return;
    }
    if (status !== 'SOLD') return;
    const holding = (
      await this.products.findForOrder(
        lines.map((l) => l.productId),
        orderId,
      )
    ).filter((p) => p.heldQuantity > 0);
    const changes = holding.map(({ productId, heldBy }): HoldChange => {
      const { quantity } = lines.find((l) => l.productId === productId)!;
      const counted = reservation.heldBy?.find((h) => h.productId === productId)?.attemptId;
      // A decision made before attempts were recorded counted on whatever hold the order has.
      if (counted === undefined) return { productId, quantity, to: 'sold' };
      if (counted === heldBy) return { productId, quantity, attemptId: counted, to: 'sold' };
      return { productId, quantity, ...(heldBy === undefined ? {} : { attemptId: heldBy }), to: 'available' };
    });
    await this.products.takeHolds(orderId, changes);
  }

  /**
   * Holds every line as `attemptId`, or none when a line is already short (then every line is only
   * checked, for the report). The lines not held yet are held in one round trip and read back; a line
   * that missed (a concurrent change) goes through `holdLine` on its own. When all are held, says
   * which attempt's hold each line counts on.
   */
  private async holdAll({ orderId, lines }: Reservation, attemptId: string): Promise<HoldOutcome> {
    const productIds = lines.map((l) => l.productId);
    const before = new Map((await this.products.findForOrder(productIds, orderId)).map((p) => [p.productId, p]));
    const unknownProductIds = productIds.filter((id) => !before.has(id));
    // Products are never deleted, so an unknown product fails the order before anything is held.
    if (unknownProductIds.length > 0) return { failure: { reason: 'UNKNOWN_PRODUCT', unknownProductIds } };

    const shortfalls: Shortfall[] = lines.flatMap(({ productId, quantity }) => {
      const product = before.get(productId)!;
      return product.heldQuantity === 0 && product.available < quantity
        ? [{ productId, requested: quantity, available: product.available }]
        : [];
    });
    if (shortfalls.length > 0) return { failure: { reason: 'INSUFFICIENT_STOCK', shortfalls } };

    await this.products.holdEach(
      orderId,
      lines.filter((l) => before.get(l.productId)!.heldQuantity === 0),
      attemptId,
    );
    const after = new Map((await this.products.findForOrder(productIds, orderId)).map((p) => [p.productId, p]));
    const heldBy: HeldLine[] = [];
    for (const line of lines) {
      const product = after.get(line.productId);
      const state: LineState =
        product && product.heldQuantity > 0
          ? { kind: 'held', ...(product.heldBy === undefined ? {} : { attemptId: product.heldBy }) }
          : shortfalls.length === 0
            ? await this.holdLine(orderId, line, attemptId)
            : await this.lineState(orderId, line);
      if (state.kind === 'short') shortfalls.push(state.shortfall);
      else if (state.kind === 'held' && state.attemptId !== undefined)
        heldBy.push({ productId: line.productId, attemptId: state.attemptId });
    }
    return shortfalls.length > 0 ? { failure: { reason: 'INSUFFICIENT_STOCK', shortfalls } } : { heldBy };
  }

  /** A missed hold is either an earlier (or concurrent) run's hold (done: counted as that run's), a real shortfall, or a race to try again. */
  private async holdLine(orderId: string, line: StockLine, attemptId: string): Promise<LineState> {
    for (let attempt = 1; attempt <= MAX_HOLD_ATTEMPTS; attempt++) {
      if (await this.products.hold(line.productId, orderId, line.quantity, attemptId)) return { kind: 'held', attemptId };
      const state = await this.lineState(orderId, line);
      if (state.kind !== 'available') return state;
    }
    // Transient: the consumer retries the event with backoff, and the re-run resumes here.
    throw new Error(`Stock of product ${line.productId} kept changing while reserving order ${orderId}`);
  }

  private async lineState(orderId: string, line: StockLine): Promise<LineState> {
    const [product] = await this.products.findForOrder([line.productId], orderId);
    if (product && product.heldQuantity > 0)
      return { kind: 'held', ...(product.heldBy === undefined ? {} : { attemptId: product.heldBy }) };
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

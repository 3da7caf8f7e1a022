import { randomUUID } from 'node:crypto';
import { NotFoundError, PermanentError, type Logger, type Shortfall } from '@orderplatform/shared';
import { inject, injectable } from 'tsyringe';
import { TOKENS } from '../tokens.js';
import { mergeLines } from './mergeLines.js';
import type { InventoryEvents } from './ports/InventoryEvents.js';
import type { ProductRepository } from './ports/ProductRepository.js';
import { HOLDS_NOTHING, type Reservation, type ReservationFailure, type ReservationRepository, type StockLine } from './ports/ReservationRepository.js';

export interface OrderToReserve {
  orderId: string;
  items: ReadonlyArray<StockLine>;
}

type LineState = { kind: 'held' } | { kind: 'available' } | { kind: 'short'; shortfall: Shortfall };

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
    if (!reservation) throw new NotFoundError('INVENTORY.RESERVATION_NOT_FOUND', `No reservation for order ${orderId}`);
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
    const failure = await this.holdAll(opened);
    const decided = failure
      ? await this.reservations.transition(orderId, ['RESERVING'], 'FAILED', { failure }, [this.events.failed(orderId, failure)])
      : await this.reservations.transition(orderId, ['RESERVING'], 'RESERVED', {}, [this.events.reserved(opened)]);
    const current = decided ?? (await this.mustFind(orderId));
    await this.settle(current);
    this.log.info({ orderId, reservationId: current.reservationId, status: current.status, reason: current.failure?.reason }, 'Reservation decided');
    return current;
  }

  /** OrderCancelled: give a reservation's stock back (compensation) and say so with InventoryReleased. */
  async release(orderId: string, reason: string): Promise<Reservation> {
    // No reservation yet: leave a tombstone so a late OrderPlaced reserves nothing.
    const existing = (await this.reservations.findByOrderId(orderId)) ?? (await this.reservations.tombstoneOrGet(orderId, randomUUID()));
    let current = existing;
    if (existing.status === 'RESERVED') {
      const released = await this.reservations.transition(orderId, ['RESERVED'], 'RELEASED', { releaseReason: reason }, [this.events.released(existing, reason)]);
      current = released ?? (await this.mustFind(orderId));
    } else if (existing.status === 'RESERVING') {
      // An unfinished reservation (its OrderPlaced never completed): it will never be confirmed; no event.
      const cancelled = await this.reservations.transition(orderId, ['RESERVING'], 'CANCELLED_BEFORE_RESERVE', { releaseReason: reason }, []);
      current = cancelled ?? (await this.mustFind(orderId));
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
    const current = existing.status === 'RESERVED' ? ((await this.reservations.transition(orderId, ['RESERVED'], 'SOLD', {}, [])) ?? (await this.mustFind(orderId))) : existing;
    if (current.status !== 'SOLD') throw new PermanentError(`Order ${orderId} shipped but its reservation is ${current.status}`);
    for (const line of current.lines) await this.products.sell(line.productId, orderId, line.quantity);
    this.log.info({ orderId, reservationId: current.reservationId }, 'Reserved stock sold');
    return current;
  }

  /**
   * The idempotent follow-up of a decided status: a reservation that must hold nothing releases
   * whatever its order still holds (compensation after FAILED, release after RELEASED, or a stray
   * hold of a concurrent run that lost the decision). SOLD is completed only by ship(), which knows
   * the holds are legitimate.
   */
  private async settle(reservation: Reservation): Promise<void> {
    if (!HOLDS_NOTHING.includes(reservation.status)) return;
    for (const line of reservation.lines) await this.products.release(line.productId, reservation.orderId, line.quantity);
  }

  /** Holds every line, or stops holding at the first short line (the rest are only checked, for the report). */
  private async holdAll({ orderId, lines }: Reservation): Promise<ReservationFailure | undefined> {
    const known = new Set((await this.products.findForOrder(lines.map((l) => l.productId), orderId)).map((p) => p.productId));
    const unknownProductIds = lines.filter((l) => !known.has(l.productId)).map((l) => l.productId);
    // Products are never deleted, so an unknown product fails the order before anything is held.
    if (unknownProductIds.length > 0) return { reason: 'UNKNOWN_PRODUCT', unknownProductIds };

    const shortfalls: Shortfall[] = [];
    for (const line of lines) {
      const state = shortfalls.length === 0 ? await this.holdLine(orderId, line) : await this.lineState(orderId, line);
      if (state.kind === 'short') shortfalls.push(state.shortfall);
    }
    return shortfalls.length > 0 ? { reason: 'INSUFFICIENT_STOCK', shortfalls } : undefined;
  }

  /** A missed hold is either an earlier run's hold (done), a real shortfall, or a race to try again. */
  private async holdLine(orderId: string, line: StockLine): Promise<LineState> {
    for (let attempt = 1; attempt <= MAX_HOLD_ATTEMPTS; attempt++) {
      if (await this.products.hold(line.productId, orderId, line.quantity)) return { kind: 'held' };
      const state = await this.lineState(orderId, line);
      if (state.kind !== 'available') return state;
    }
    // Transient: the consumer retries the event with backoff, and the re-run resumes here.
    throw new Error(`Stock of product ${line.productId} kept changing while reserving order ${orderId}`);
  }

  private async lineState(orderId: string, line: StockLine): Promise<LineState> {
    const [product] = await this.products.findForOrder([line.productId], orderId);
    if (product && product.heldQuantity > 0) return { kind: 'held' };
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

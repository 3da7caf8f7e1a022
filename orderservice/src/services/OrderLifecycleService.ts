import type { DomainEvent } from '@orderplatform/shared/contracts';
import type { Logger } from '@orderplatform/shared/logging';
import { inject, injectable } from 'tsyringe';
import { metrics } from '../metrics.js';
import { describeInventoryFailure } from '../domain/describeInventoryFailure.js';
import { ConcurrentModificationError } from '../domain/errors/ConcurrentModificationError.js';
import { ConfirmBySagaOnlyError } from '../domain/errors/ConfirmBySagaOnlyError.js';
import { InvalidTransitionError } from '../domain/errors/InvalidTransitionError.js';
import { OrderNotFoundError } from '../domain/errors/OrderNotFoundError.js';
import type { Cancellation, Order, OrderStatus, TimelineEntry } from '../domain/Order.js';
import { canTransition, isSagaOnly } from '../domain/orderStateMachine.js';
import { TOKENS } from '../tokens.js';
import type { OrderChangeNotifier } from './OrderChangeNotifier.js';
import type { OrderEvents } from './ports/OrderEvents.js';
import type { OrderRepository } from './ports/OrderRepository.js';
import type { PendingOrderSnapshots } from './PendingOrderSnapshots.js';

/** What a transition should do; the event and timeline entry are derived from it. */
interface TransitionPlan {
  orderId: string;
  to: OrderStatus;
  cancellation?: Cancellation;
  reservationId?: string;
  /** eventId of the consumed event that caused it. */
  causedBy?: string;
}

type Outcome = { kind: 'changed'; order: Order } | { kind: 'refused'; order: Order };

/** A lost race is re-decided against the winning state; this many times before giving up. */
const MAX_ATTEMPTS = 3;

/**
 * Every status change of an order (SPEC §2). Each is one conditional write — "only if the status is
 * still what I read" — carrying its event through the outbox, so two writers (instances, the
 * consumer and an admin, the sweeper) never overwrite each other's change.
 */
@injectable()
export class OrderLifecycleService {
  private readonly log: Logger;

  constructor(
    @inject(TOKENS.OrderRepository) private readonly orders: OrderRepository,
    @inject(TOKENS.OrderEvents) private readonly events: OrderEvents,
    @inject(TOKENS.OrderChangeNotifier) private readonly changes: OrderChangeNotifier,
    @inject(TOKENS.PendingOrderSnapshots) private readonly snapshots: PendingOrderSnapshots,
    @inject(TOKENS.Logger) logger: Logger,
  ) {
    this.log = logger.child({ component: 'order-lifecycle' });
  }

  /**
   * Admin update: any move the state machine allows, except CONFIRMED, which only the inventory's
   * reservation may cause — an admin-confirmed order would ship stock nobody reserved. Others are
   * refused with a conflict.
   */
  async setStatus(orderId: string, status: OrderStatus): Promise<Order> {
    if (isSagaOnly(status)) {
      const order = await this.orders.findById(orderId);
      if (!order) throw new OrderNotFoundError(orderId);
      throw new ConfirmBySagaOnlyError(orderId, order.status);
    }
    return this.transitionOrRefuse({
      orderId,
      to: status,
      ...(status === 'CANCELLED' ? { cancellation: { reason: 'ADMIN_REQUEST' } } : {}),
    });
  }

  /** The customer cancels a PENDING or CONFIRMED order. */
  cancelByCustomer(orderId: string, reason?: string): Promise<Order> {
    return this.transitionOrRefuse({
      orderId,
      to: 'CANCELLED',
      cancellation: { reason: 'CUSTOMER_REQUEST', ...(reason ? { details: reason } : {}) },
    });
  }

  /**
   * InventoryReserved: confirms the order if it is still PENDING. Otherwise (cancelled first, timed
   * out, already confirmed by a redelivery) nothing happens: inventory releases the stock when it
   * handles the OrderCancelled that follows the OrderPlaced on the same key.
   */
  async confirmReservation(event: DomainEvent<'InventoryReserved'>): Promise<void> {
    await this.transitionIfPending(
      { orderId: event.data.orderId, to: 'CONFIRMED', reservationId: event.data.reservationId, causedBy: event.eventId },
      event.eventType,
    );
  }

  /** InventoryFailed: cancels a PENDING order with the inventory's reason and what was short. */
  async rejectForInventory(event: DomainEvent<'InventoryFailed'>): Promise<void> {
    const cancellation: Cancellation = { reason: event.data.reason, details: describeInventoryFailure(event.data) };
    await this.transitionIfPending(
      { orderId: event.data.orderId, to: 'CANCELLED', cancellation, causedBy: event.eventId },
      event.eventType,
    );
  }

  /** The timeout sweep: cancels the order if it is still PENDING. True when this call cancelled it. */
  async cancelTimedOut(orderId: string): Promise<boolean> {
    const outcome = await this.transitionIfPending(
      { orderId, to: 'CANCELLED', cancellation: { reason: 'TIMEOUT', details: 'No inventory answer in time' } },
      'timeout',
    );
    return outcome.kind === 'changed';
  }

  /** InventoryReleased: the compensation happened; it is recorded in the timeline (once per event). */
  async recordRelease(event: DomainEvent<'InventoryReleased'>): Promise<void> {
    const order = await this.orders.findById(event.data.orderId);
    if (!order) throw new OrderNotFoundError(event.data.orderId);
    await this.orders.appendTimeline(order.id, {
      status: order.status,
      at: new Date(event.occurredAt),
      eventType: event.eventType,
      eventId: event.eventId,
      reason: event.data.reason,
    });
  }

  private async transitionOrRefuse(plan: TransitionPlan): Promise<Order> {
    const outcome = await this.apply(plan, (from) => canTransition(from, plan.to));
    if (outcome.kind === 'refused') throw new InvalidTransitionError(plan.orderId, outcome.order.status, plan.to);
    return outcome.order;
  }

  private async transitionIfPending(plan: TransitionPlan, cause: string): Promise<Outcome> {
    const outcome = await this.apply(plan, (from) => from === 'PENDING');
    if (outcome.kind === 'refused') {
      this.log.info({ orderId: plan.orderId, status: outcome.order.status, cause }, 'Order is no longer PENDING; nothing to do');
    }
    return outcome;
  }

  /**
   * The first attempt may start from the order as this process placed it (PendingOrderSnapshots)
   * instead of a read, when that state allows the change: the conditional write checks it. A stale
   * snapshot costs one attempt; a refusal is only ever decided on what was read.
   */
  private async apply(plan: TransitionPlan, allowed: (from: OrderStatus) => boolean): Promise<Outcome> {
    const snapshot = this.snapshots.take(plan.orderId);
    let guess = snapshot && allowed(snapshot.status) ? snapshot : undefined;
    const attempts = MAX_ATTEMPTS + (guess ? 1 : 0); // a stale guess does not use up a read's attempt
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const order = guess ?? (await this.orders.findById(plan.orderId));
      guess = undefined;
      if (!order) throw new OrderNotFoundError(plan.orderId);
      if (!allowed(order.status)) return { kind: 'refused', order };

      const event = this.eventFor(order, plan);
      const entry: TimelineEntry = {
        status: plan.to,
        at: new Date(event.occurredAt),
        eventType: event.eventType,
        eventId: event.eventId,
        ...(plan.causedBy ? { causedBy: plan.causedBy } : {}),
        ...(plan.cancellation ? { reason: plan.cancellation.reason } : {}),
        ...(plan.cancellation?.details ? { details: plan.cancellation.details } : {}),
      };
      const changed = await this.orders.changeStatus(
        order.id,
        {
          from: order.status,
          to: plan.to,
          entry,
          ...(plan.cancellation ? { cancellation: plan.cancellation } : {}),
          ...(plan.reservationId ? { reservationId: plan.reservationId } : {}),
        },
        [event],
      );
      if (changed) {
        this.settled(order, changed, event);
        return { kind: 'changed', order: changed };
      }
      // Someone else changed the order between our read and write: decide again on what they wrote.
      this.log.debug({ orderId: order.id, attempt }, 'Order changed concurrently; re-reading');
    }
    throw new ConcurrentModificationError(plan.orderId);
  }

  private eventFor(order: Order, plan: TransitionPlan): DomainEvent {
    switch (plan.to) {
      case 'CONFIRMED':
        return this.events.confirmed(order, plan.reservationId);
      case 'CANCELLED':
        return this.events.cancelled(order, plan.cancellation ?? { reason: 'ADMIN_REQUEST' });
      case 'SHIPPED':
        return this.events.shipped(order);
      case 'DELIVERED':
        return this.events.delivered(order);
      case 'PENDING':
        throw new InvalidTransitionError(order.id, order.status, plan.to);
    }
  }

  private settled(before: Order, after: Order, event: DomainEvent): void {
    this.changes.notify(after);
    if (before.status === 'PENDING') {
      metrics.sagaDuration.observe({ outcome: after.status.toLowerCase() }, (Date.now() - before.createdAt.getTime()) / 1000);
    }
    this.log.info(
      { orderId: after.id, eventId: event.eventId, from: before.status, to: after.status, reason: after.cancellation?.reason },
      'Order status changed',
    );
  }
}

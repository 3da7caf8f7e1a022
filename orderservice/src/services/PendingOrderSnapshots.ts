import { injectable } from 'tsyringe';
import type { Order } from '../domain/Order.js';

/** Orders this process placed lately and last saw PENDING; oldest forgotten first past this many. */
const REMEMBERED = 10_000;

/**
 * The orders this process placed and has not seen leave PENDING, as it wrote them. The inventory's
 * answer then needs no read: the transition is a conditional write "only if still PENDING", which
 * matches nothing when the snapshot is stale (cancelled meanwhile, another instance's change), and the
 * lifecycle then reads the order and decides again. A snapshot is only ever used to try a change,
 * never to refuse one. What an event carries from the order (customer, lines, total, currency,
 * correlation id) never changes after placement.
 */
@injectable()
export class PendingOrderSnapshots {
  private readonly orders = new Map<string, Order>();

  remember(order: Order): void {
    if (order.status !== 'PENDING') return;
    this.orders.set(order.id, order);
    for (const id of this.orders.keys()) {
      if (this.orders.size <= REMEMBERED) break;
      this.orders.delete(id);
    }
  }

  /** The order as placed, if this process placed it lately and has not seen it change since. */
  take(orderId: string): Order | undefined {
    const order = this.orders.get(orderId);
    this.orders.delete(orderId);
    return order;
  }
}

import { setMaxListeners } from 'node:events';
import { injectable } from 'tsyringe';
import type { Order } from '../domain/Order.js';
import { ChangeSubscription } from './ChangeSubscription.js';

/**
 * In-process "this order changed" signals for long-polls, carrying the order as written, so a waiter
 * answers without reading it again. It only sees writes made by this process; waiters also re-read
 * now and then to notice other instances' writes.
 */
@injectable()
export class OrderChangeNotifier {
  private readonly subscriptions = new Map<string, Set<ChangeSubscription<Order>>>();
  private readonly shutdown = new AbortController();

  constructor() {
    // Every waiting long-poll listens on the shutdown signal (and removes itself when done): dozens at
    // once is normal, not the leak Node warns about after ten.
    setMaxListeners(0, this.shutdown.signal);
  }

  subscribe(orderId: string): ChangeSubscription<Order> {
    let set = this.subscriptions.get(orderId);
    if (!set) this.subscriptions.set(orderId, (set = new Set()));
    const subscription = new ChangeSubscription<Order>(() => {
      set.delete(subscription);
      if (set.size === 0 && this.subscriptions.get(orderId) === set) this.subscriptions.delete(orderId);
    });
    set.add(subscription);
    return subscription;
  }

  notify(order: Order): void {
    for (const subscription of this.subscriptions.get(order.id) ?? []) subscription.signal(order);
  }

  /** Aborted on shutdown: every long-poll answers with the order's current state at once. */
  get closing(): AbortSignal {
    return this.shutdown.signal;
  }

  close(): void {
    this.shutdown.abort();
  }

  /** How many long-polls are waiting (for tests and diagnostics). */
  get waiting(): number {
    let n = 0;
    for (const set of this.subscriptions.values()) n += set.size;
    return n;
  }
}

import type { Logger } from '@orderplatform/shared/logging';
import { inject, injectable } from 'tsyringe';
import type { Config } from '../config.js';
import { OrderNotFoundError } from '../domain/errors/OrderNotFoundError.js';
import type { Order, OrderStatus, TimelineEntry } from '../domain/Order.js';
import { TOKENS } from '../tokens.js';
import type { OrderChangeNotifier } from './OrderChangeNotifier.js';
import type { OrderRepository, PageCursor } from './ports/OrderRepository.js';

export interface WaitOptions {
  statuses: readonly OrderStatus[];
  timeoutMs: number;
  /** Aborted when the client goes away: stop waiting. */
  signal?: AbortSignal;
}

export interface OrderPage {
  orders: Order[];
  next?: PageCursor;
}

/** Reading orders, including the long-poll of GET /api/orders/:id?waitFor=… (SPEC §3). */
@injectable()
export class OrderQueryService {
  private readonly log: Logger;

  constructor(
    @inject(TOKENS.OrderRepository) private readonly orders: OrderRepository,
    @inject(TOKENS.OrderChangeNotifier) private readonly changes: OrderChangeNotifier,
    @inject(TOKENS.Config) private readonly config: Config,
    @inject(TOKENS.Logger) logger: Logger,
  ) {
    this.log = logger.child({ component: 'order-queries' });
  }

  async get(orderId: string): Promise<Order> {
    const order = await this.orders.findById(orderId);
    if (!order) throw new OrderNotFoundError(orderId);
    return order;
  }

  /**
   * Returns the order once it is in one of `statuses`, or its current state when the time is up, the
   * client left or the service shuts down. It subscribes before the first read and re-arms before every
   * wait, so a change between a read and the wait wakes it. A change written by this process carries
   * the new state (no read); the re-read for changes made by other instances starts at
   * ORDER_WAIT_POLL_INTERVAL_MS and doubles up to 8 times that, so many waiting clients do not
   * multiply the reads when the saga is slow.
   */
  async waitFor(orderId: string, { statuses, timeoutMs, signal }: WaitOptions): Promise<Order> {
    const deadline = Date.now() + timeoutMs;
    const stops = signal ? [this.changes.closing, signal] : [this.changes.closing];
    const subscription = this.changes.subscribe(orderId);
    this.log.debug({ orderId, statuses, timeoutMs }, 'Long-poll waiting for the order');
    const base = this.config.ORDER_WAIT_POLL_INTERVAL_MS;
    let interval = base;
    try {
      subscription.reset();
      let order = await this.get(orderId);
      for (;;) {
        const remaining = deadline - Date.now();
        if (statuses.includes(order.status) || remaining <= 0 || stops.some((s) => s.aborted)) return order;
        await subscription.wait(Math.min(remaining, interval), ...stops);
        const notified = subscription.latest;
        subscription.reset();
        if (notified) {
          order = notified;
        } else {
          order = await this.get(orderId);
          interval = Math.min(interval * 2, base * 8);
        }
      }
    } finally {
      subscription.close();
    }
  }

  async listByCustomer(customerId: string, limit: number, after?: PageCursor): Promise<OrderPage> {
    // One extra row tells whether there is a next page without a count query.
    const rows = await this.orders.listByCustomer(customerId, limit + 1, after);
    const orders = rows.slice(0, limit);
    const last = orders.at(-1);
    return rows.length > limit && last ? { orders, next: { createdAt: last.createdAt, id: last.id } } : { orders };
  }

  async timeline(orderId: string): Promise<TimelineEntry[]> {
    return (await this.get(orderId)).timeline;
  }
}

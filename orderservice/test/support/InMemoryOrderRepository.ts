import type { DomainEvent } from '@orderplatform/shared/contracts';
import type { Order, TimelineEntry } from '../../src/domain/Order.js';
import type { InsertResult, OrderRepository, PageCursor, StatusChange } from '../../src/services/ports/OrderRepository.js';

const copy = (order: Order): Order => structuredClone(order);

/** The repository port in memory: same conditional-write semantics, and a record of every event written. */
export class InMemoryOrderRepository implements OrderRepository {
  readonly orders = new Map<string, Order>();
  /** Every event stored with a write, in write order (what the outbox would publish). */
  readonly written: DomainEvent[] = [];
  /** How many times findById was called (a read of one order). */
  reads = 0;
  /** Runs just before a status change is applied: lets a test slip in a concurrent writer. */
  beforeChange: ((id: string) => void) | undefined;

  seed(...orders: Order[]): this {
    for (const order of orders) this.orders.set(order.id, copy(order));
    return this;
  }

  async insert(order: Order, events: DomainEvent[]): Promise<InsertResult> {
    if (order.idempotencyKey !== undefined && [...this.orders.values()].some((o) => o.idempotencyKey === order.idempotencyKey)) {
      return { kind: 'duplicate-idempotency-key' };
    }
    this.orders.set(order.id, copy(order));
    this.written.push(...events);
    return { kind: 'created', order: copy(order) };
  }

  async findById(id: string): Promise<Order | null> {
    this.reads += 1;
    const order = this.orders.get(id);
    return order ? copy(order) : null;
  }

  async findByIdempotencyKey(key: string): Promise<Order | null> {
    const order = [...this.orders.values()].find((o) => o.idempotencyKey === key);
    return order ? copy(order) : null;
  }

  async changeStatus(id: string, change: StatusChange, events: DomainEvent[]): Promise<Order | null> {
    const hook = this.beforeChange;
    this.beforeChange = undefined;
    hook?.(id);
    const order = this.orders.get(id);
    if (!order || order.status !== change.from) return null;
    order.status = change.to;
    order.updatedAt = change.entry.at;
    order.timeline.push(change.entry);
    if (change.cancellation) order.cancellation = change.cancellation;
    if (change.reservationId) order.reservationId = change.reservationId;
    this.written.push(...events);
    return copy(order);
  }

  async appendTimeline(id: string, entry: TimelineEntry): Promise<void> {
    const order = this.orders.get(id);
    if (order && !order.timeline.some((e) => e.eventId === entry.eventId)) order.timeline.push(entry);
  }

  async listByCustomer(customerId: string, limit: number, after?: PageCursor): Promise<Order[]> {
    return [...this.orders.values()]
      .filter((o) => o.customerId === customerId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0))
      .filter((o) => !after || o.createdAt < after.createdAt || (o.createdAt.getTime() === after.createdAt.getTime() && o.id < after.id))
      .slice(0, limit)
      .map(copy);
  }

  async findPendingCreatedBefore(cutoff: Date, limit: number): Promise<Order[]> {
    return [...this.orders.values()]
      .filter((o) => o.status === 'PENDING' && o.createdAt < cutoff)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, limit)
      .map(copy);
  }
}

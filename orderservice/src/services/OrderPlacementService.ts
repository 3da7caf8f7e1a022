import { randomUUID } from 'node:crypto';
import { currentCorrelationId } from '@orderplatform/shared/context';
import { DEFAULT_CURRENCY } from '@orderplatform/shared/contracts';
import { ValidationError } from '@orderplatform/shared/errors';
import type { Logger } from '@orderplatform/shared/logging';
import { inject, injectable } from 'tsyringe';
import { IdempotencyConflictError } from '../domain/errors/IdempotencyConflictError.js';
import { toCents, totalCents } from '../domain/money.js';
import type { Contact, Order, OrderLine } from '../domain/Order.js';
import { TOKENS } from '../tokens.js';
import type { OrderEvents } from './ports/OrderEvents.js';
import type { OrderRepository } from './ports/OrderRepository.js';
import type { PendingOrderSnapshots } from './PendingOrderSnapshots.js';
import { requestFingerprint } from './requestFingerprint.js';

/** A validated POST /api/orders body. */
export interface PlaceOrderCommand {
  customerId: string;
  items: Array<{ productId: string; quantity: number; price: number }>;
  customer?: Contact;
}

export interface PlacementResult {
  order: Order;
  /** True when the Idempotency-Key had already placed this order. */
  replayed: boolean;
}

/** SPEC §2 step 1: store the order PENDING together with its OrderPlaced, never waiting for Kafka. */
@injectable()
export class OrderPlacementService {
  private readonly log: Logger;

  constructor(
    @inject(TOKENS.OrderRepository) private readonly orders: OrderRepository,
    @inject(TOKENS.OrderEvents) private readonly events: OrderEvents,
    @inject(TOKENS.PendingOrderSnapshots) private readonly snapshots: PendingOrderSnapshots,
    @inject(TOKENS.Logger) logger: Logger,
  ) {
    this.log = logger.child({ component: 'order-placement' });
  }

  async place(command: PlaceOrderCommand, idempotencyKey?: string): Promise<PlacementResult> {
    const fingerprint = idempotencyKey === undefined ? undefined : requestFingerprint(command);
    if (idempotencyKey !== undefined) {
      const earlier = await this.orders.findByIdempotencyKey(idempotencyKey);
      if (earlier) return this.replay(earlier, fingerprint);
    }

    const order = this.newOrder(command, idempotencyKey, fingerprint);
    const placed = this.events.placed(order);
    order.timeline = [{ status: 'PENDING', at: order.createdAt, eventType: placed.eventType, eventId: placed.eventId }];
    const result = await this.orders.insert(order, [placed]);
    if (result.kind === 'created') {
      this.snapshots.remember(result.order);
      this.log.info(
        { orderId: order.id, eventId: placed.eventId, customerId: order.customerId, totalCents: order.totalCents },
        'Order placed',
      );
      return { order: result.order, replayed: false };
    }

    // A concurrent request with the same key won the unique index: its order is the answer.
    const winner = await this.orders.findByIdempotencyKey(idempotencyKey!);
    if (!winner) throw new Error('Idempotency key reported taken, but no order holds it');
    return this.replay(winner, fingerprint);
  }

  private replay(earlier: Order, fingerprint: string | undefined): PlacementResult {
    if (earlier.requestFingerprint !== fingerprint) throw new IdempotencyConflictError(earlier.id);
    this.log.info({ orderId: earlier.id }, 'Idempotent replay of an order placement');
    return { order: earlier, replayed: true };
  }

  private newOrder(command: PlaceOrderCommand, idempotencyKey: string | undefined, fingerprint: string | undefined): Order {
    const items: OrderLine[] = command.items.map((item, index) => {
      const unitPriceCents = toCents(item.price);
      // The HTTP schema already refuses these; the rule still belongs to the domain.
      if (unitPriceCents === undefined || unitPriceCents <= 0)
        throw new ValidationError('Price must be positive with at most 2 decimals', { path: `items.${index}.price` });
      return { productId: item.productId, quantity: item.quantity, unitPriceCents };
    });
    const now = new Date();
    return {
      id: randomUUID(),
      customerId: command.customerId,
      ...(command.customer ? { customer: command.customer } : {}),
      items,
      totalCents: totalCents(items),
      currency: DEFAULT_CURRENCY,
      status: 'PENDING',
      correlationId: currentCorrelationId(),
      ...(idempotencyKey !== undefined ? { idempotencyKey, requestFingerprint: fingerprint } : {}),
      timeline: [],
      createdAt: now,
      updatedAt: now,
    };
  }
}

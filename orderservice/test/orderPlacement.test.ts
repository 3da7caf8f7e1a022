import { describe, expect, it } from 'vitest';
import type { OrderPlacementService } from '../src/services/OrderPlacementService.js';
import { TOKENS } from '../src/tokens.js';
import { buildOrderRequest } from './support/builders.js';
import { unitService } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import { InMemoryOrderRepository } from './support/InMemoryOrderRepository.js';

function arrange() {
  const repository = new InMemoryOrderRepository();
  const { container } = unitService(createService, { register: (c) => c.registerInstance(TOKENS.OrderRepository, repository) });
  return { placement: container.resolve<OrderPlacementService>(TOKENS.OrderPlacementService), repository };
}

describe('placing an order', () => {
  it('stores it PENDING with an exact total and writes its OrderPlaced (v2, USD) with the same write', async () => {
    const { placement, repository } = arrange();

    const { order, replayed } = await placement.place(
      buildOrderRequest({
        items: [
          { productId: 'a', quantity: 1, price: 0.1 },
          { productId: 'b', quantity: 1, price: 0.2 },
        ],
      }),
    );

    expect(replayed).toBe(false);
    expect(order).toMatchObject({ status: 'PENDING', totalCents: 30, currency: 'USD' });
    expect(repository.written).toHaveLength(1);
    const [placed] = repository.written;
    expect(placed).toMatchObject({
      eventType: 'OrderPlaced',
      version: 2,
      data: { orderId: order.id, totalAmount: 0.3, currency: 'USD', customer: { email: 'ada@example.com' } },
    });
    expect(order.timeline).toEqual([{ status: 'PENDING', at: order.createdAt, eventType: 'OrderPlaced', eventId: placed!.eventId }]);
  });

  it('with the same Idempotency-Key and body, returns the first order and writes nothing new', async () => {
    const { placement, repository } = arrange();
    const first = await placement.place(buildOrderRequest(), 'key-1');

    const second = await placement.place(buildOrderRequest(), 'key-1');

    expect(second).toEqual({ order: first.order, replayed: true });
    expect(repository.orders.size).toBe(1);
    expect(repository.written).toHaveLength(1);
  });

  it('with the same Idempotency-Key and a different body, refuses with ORDER.IDEMPOTENCY_CONFLICT', async () => {
    const { placement, repository } = arrange();
    await placement.place(buildOrderRequest(), 'key-1');

    const attempt = placement.place(buildOrderRequest({ customerId: 'someone-else' }), 'key-1');

    await expect(attempt).rejects.toMatchObject({ code: 'ORDER.IDEMPOTENCY_CONFLICT', kind: 'conflict' });
    expect(repository.orders.size).toBe(1);
  });

  it('when a concurrent request took the key first, answers with that order', async () => {
    const { placement, repository } = arrange();
    // The lookup misses, then the insert loses the unique index to the other request.
    const winner = await placement.place(buildOrderRequest(), 'key-race');
    const lookup = repository.findByIdempotencyKey.bind(repository);
    let calls = 0;
    repository.findByIdempotencyKey = async (key) => (++calls === 1 ? null : lookup(key));

    const loser = await placement.place(buildOrderRequest(), 'key-race');

    expect(loser).toEqual({ order: winner.order, replayed: true });
    expect(repository.orders.size).toBe(1);
  });
});

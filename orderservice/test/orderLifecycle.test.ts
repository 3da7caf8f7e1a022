import { describe, expect, it } from 'vitest';
import type { Order, OrderStatus } from '../src/domain/Order.js';
import type { OrderLifecycleService } from '../src/services/OrderLifecycleService.js';
import type { OrderPlacementService } from '../src/services/OrderPlacementService.js';
import { TOKENS } from '../src/tokens.js';
import { buildInventoryFailed, buildInventoryReleased, buildInventoryReserved, buildOrder, buildOrderRequest } from './support/builders.js';
import { unitService } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import { InMemoryOrderRepository } from './support/InMemoryOrderRepository.js';

function arrange(...orders: Order[]) {
  const repository = new InMemoryOrderRepository();
  const { container } = unitService(createService, { register: (c) => c.registerInstance(TOKENS.OrderRepository, repository) });
  repository.seed(...orders);
  return { lifecycle: container.resolve<OrderLifecycleService>(TOKENS.OrderLifecycleService), repository };
}

describe('an order this process placed (its PENDING snapshot)', () => {
  function arrangePlaced() {
    const repository = new InMemoryOrderRepository();
    const { container } = unitService(createService, { register: (c) => c.registerInstance(TOKENS.OrderRepository, repository) });
    return {
      placement: container.resolve<OrderPlacementService>(TOKENS.OrderPlacementService),
      lifecycle: container.resolve<OrderLifecycleService>(TOKENS.OrderLifecycleService),
      repository,
    };
  }

  it('is confirmed by the reservation without reading it: one conditional write with the placed order’s data', async () => {
    const { placement, lifecycle, repository } = arrangePlaced();
    const { order } = await placement.place(buildOrderRequest());
    const reads = repository.reads;

    await lifecycle.confirmReservation(buildInventoryReserved(order.id));

    expect(repository.reads - reads).toBe(0);
    expect(repository.orders.get(order.id)?.status).toBe('CONFIRMED');
    expect(repository.written.at(-1)).toMatchObject({
      eventType: 'OrderConfirmed',
      data: { orderId: order.id, customerId: order.customerId, totalAmount: order.totalCents / 100, currency: order.currency },
    });
  });

  it('when it was cancelled meanwhile (the snapshot is stale), reads it and ignores the reservation; a redelivery reads again', async () => {
    const { placement, lifecycle, repository } = arrangePlaced();
    const { order } = await placement.place(buildOrderRequest());
    repository.orders.get(order.id)!.status = 'CANCELLED'; // another instance's write

    await lifecycle.confirmReservation(buildInventoryReserved(order.id));
    await lifecycle.confirmReservation(buildInventoryReserved(order.id));

    expect(repository.orders.get(order.id)?.status).toBe('CANCELLED');
    expect(repository.written.map((e) => e.eventType)).toEqual(['OrderPlaced']);
    expect(repository.reads).toBeGreaterThanOrEqual(2);
  });

  it('a move its PENDING state does not allow is decided on what is read, never refused from the snapshot', async () => {
    const { placement, lifecycle, repository } = arrangePlaced();
    const { order } = await placement.place(buildOrderRequest());
    Object.assign(repository.orders.get(order.id)!, { status: 'SHIPPED' }); // shipped by another instance

    const delivered = await lifecycle.setStatus(order.id, 'DELIVERED');

    expect(delivered.status).toBe('DELIVERED');
  });
});

describe('order lifecycle rules', () => {
  describe('inventory answers', () => {
    it('when stock is reserved for a PENDING order, confirms it and writes OrderConfirmed caused by the reservation', async () => {
      const order = buildOrder();
      const { lifecycle, repository } = arrange(order);
      const reserved = buildInventoryReserved(order.id);

      await lifecycle.confirmReservation(reserved);

      const stored = repository.orders.get(order.id)!;
      expect(stored.status).toBe('CONFIRMED');
      expect(stored.reservationId).toBe(reserved.data.reservationId);
      expect(repository.written).toEqual([
        expect.objectContaining({
          eventType: 'OrderConfirmed',
          data: expect.objectContaining({
            orderId: order.id,
            customerId: order.customerId,
            customer: order.customer,
            totalAmount: 39.98,
            reservationId: reserved.data.reservationId,
          }),
        }),
      ]);
      expect(stored.timeline.at(-1)).toMatchObject({ status: 'CONFIRMED', eventType: 'OrderConfirmed', causedBy: reserved.eventId });
    });

    it('when the same reservation is delivered twice, confirms once', async () => {
      const order = buildOrder();
      const { lifecycle, repository } = arrange(order);
      const reserved = buildInventoryReserved(order.id);

      await lifecycle.confirmReservation(reserved);
      await lifecycle.confirmReservation(reserved);

      expect(repository.written.map((e) => e.eventType)).toEqual(['OrderConfirmed']);
    });

    it('when the customer cancelled first, ignores a late reservation (inventory releases it on the OrderCancelled)', async () => {
      const order = buildOrder({ status: 'CANCELLED', cancellation: { reason: 'CUSTOMER_REQUEST' } });
      const { lifecycle, repository } = arrange(order);

      await lifecycle.confirmReservation(buildInventoryReserved(order.id));

      expect(repository.orders.get(order.id)!.status).toBe('CANCELLED');
      expect(repository.written).toEqual([]);
    });

    it('when stock is short, cancels with INSUFFICIENT_STOCK and says what was short', async () => {
      const order = buildOrder();
      const { lifecycle, repository } = arrange(order);

      await lifecycle.rejectForInventory(buildInventoryFailed(order.id));

      expect(repository.orders.get(order.id)!.cancellation).toEqual({
        reason: 'INSUFFICIENT_STOCK',
        details: 'Insufficient stock: p-1 (requested 2, available 1)',
      });
      expect(repository.written).toEqual([
        expect.objectContaining({
          eventType: 'OrderCancelled',
          data: expect.objectContaining({ reason: 'INSUFFICIENT_STOCK', previousStatus: 'PENDING', customer: order.customer }),
        }),
      ]);
    });

    it('when a product is unknown, cancels with UNKNOWN_PRODUCT naming it', async () => {
      const order = buildOrder();
      const { lifecycle, repository } = arrange(order);

      await lifecycle.rejectForInventory(
        buildInventoryFailed(order.id, { reason: 'UNKNOWN_PRODUCT', shortfalls: undefined, unknownProductIds: ['nope'] }),
      );

      expect(repository.orders.get(order.id)!.cancellation).toEqual({ reason: 'UNKNOWN_PRODUCT', details: 'Unknown products: nope' });
    });

    it('when inventory fails an order that is already CONFIRMED, changes nothing', async () => {
      const order = buildOrder({ status: 'CONFIRMED' });
      const { lifecycle, repository } = arrange(order);

      await lifecycle.rejectForInventory(buildInventoryFailed(order.id));

      expect(repository.orders.get(order.id)!.status).toBe('CONFIRMED');
      expect(repository.written).toEqual([]);
    });

    it('records a release in the timeline once, however often it is delivered', async () => {
      const order = buildOrder({ status: 'CANCELLED' });
      const { lifecycle, repository } = arrange(order);
      const released = buildInventoryReleased(order.id);

      await lifecycle.recordRelease(released);
      await lifecycle.recordRelease(released);

      const releases = repository.orders.get(order.id)!.timeline.filter((e) => e.eventType === 'InventoryReleased');
      expect(releases).toEqual([expect.objectContaining({ status: 'CANCELLED', eventId: released.eventId, reason: 'ORDER_CANCELLED' })]);
    });

    it('when the order does not exist, fails with a not-found domain error (the consumer dead-letters it)', async () => {
      const { lifecycle } = arrange();

      await expect(lifecycle.confirmReservation(buildInventoryReserved('00000000-0000-4000-8000-000000000000'))).rejects.toMatchObject({
        code: 'ORDER.NOT_FOUND',
        kind: 'not-found',
      });
    });
  });

  describe('admin and customer changes', () => {
    it.each<[OrderStatus, OrderStatus, string]>([
      ['PENDING', 'CANCELLED', 'OrderCancelled'],
      ['CONFIRMED', 'SHIPPED', 'OrderShipped'],
      ['SHIPPED', 'DELIVERED', 'OrderDelivered'],
      ['CONFIRMED', 'CANCELLED', 'OrderCancelled'],
    ])('moves %s → %s and writes %s', async (from, to, eventType) => {
      const order = buildOrder({ status: from });
      const { lifecycle, repository } = arrange(order);

      const updated = await lifecycle.setStatus(order.id, to);

      expect(updated.status).toBe(to);
      expect(repository.written).toEqual([
        expect.objectContaining({ eventType, data: expect.objectContaining({ orderId: order.id, customer: order.customer }) }),
      ]);
    });

    it('ships with the order lines, so inventory can turn the reservation into sold stock', async () => {
      const order = buildOrder({ status: 'CONFIRMED' });
      const { lifecycle, repository } = arrange(order);

      await lifecycle.setStatus(order.id, 'SHIPPED');

      expect(repository.written[0]!.data).toMatchObject({ items: [{ productId: 'p-1', quantity: 2 }] });
    });

    it('an admin cancellation carries reason ADMIN_REQUEST', async () => {
      const order = buildOrder({ status: 'CONFIRMED' });
      const { lifecycle, repository } = arrange(order);

      await lifecycle.setStatus(order.id, 'CANCELLED');

      expect(repository.written[0]!.data).toMatchObject({ reason: 'ADMIN_REQUEST', previousStatus: 'CONFIRMED' });
    });

    it.each<[OrderStatus, OrderStatus]>([
      ['PENDING', 'SHIPPED'],
      ['SHIPPED', 'CANCELLED'],
      ['DELIVERED', 'CANCELLED'],
      ['CONFIRMED', 'PENDING'],
    ])('refuses %s → %s with ORDER.INVALID_TRANSITION and writes nothing', async (from, to) => {
      const order = buildOrder({ status: from });
      const { lifecycle, repository } = arrange(order);

      await expect(lifecycle.setStatus(order.id, to)).rejects.toMatchObject({
        code: 'ORDER.INVALID_TRANSITION',
        kind: 'conflict',
        details: { orderId: order.id, from, to },
      });
      expect(repository.orders.get(order.id)!.status).toBe(from);
      expect(repository.written).toEqual([]);
    });

    it.each<OrderStatus>(['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED'])(
      'refuses an admin CONFIRMED of a %s order with ORDER.CONFIRM_BY_SAGA_ONLY and writes nothing (only InventoryReserved confirms)',
      async (from) => {
        const order = buildOrder({ status: from });
        const { lifecycle, repository } = arrange(order);

        await expect(lifecycle.setStatus(order.id, 'CONFIRMED')).rejects.toMatchObject({
          code: 'ORDER.CONFIRM_BY_SAGA_ONLY',
          kind: 'conflict',
          details: { orderId: order.id, from, to: 'CONFIRMED' },
        });
        expect(repository.orders.get(order.id)!.status).toBe(from);
        expect(repository.written).toEqual([]);
      },
    );

    it('an admin CONFIRMED of an unknown order is ORDER.NOT_FOUND', async () => {
      const { lifecycle } = arrange();

      await expect(lifecycle.setStatus('00000000-0000-4000-8000-000000000000', 'CONFIRMED')).rejects.toMatchObject({
        code: 'ORDER.NOT_FOUND',
        kind: 'not-found',
      });
    });

    it('a customer cancels a CONFIRMED order with CUSTOMER_REQUEST and their reason', async () => {
      const order = buildOrder({ status: 'CONFIRMED' });
      const { lifecycle, repository } = arrange(order);

      const updated = await lifecycle.cancelByCustomer(order.id, 'changed my mind');

      expect(updated.cancellation).toEqual({ reason: 'CUSTOMER_REQUEST', details: 'changed my mind' });
      expect(repository.written[0]!.data).toMatchObject({
        reason: 'CUSTOMER_REQUEST',
        details: 'changed my mind',
        previousStatus: 'CONFIRMED',
      });
    });

    it('a customer cannot cancel a SHIPPED order', async () => {
      const order = buildOrder({ status: 'SHIPPED' });
      const { lifecycle } = arrange(order);

      await expect(lifecycle.cancelByCustomer(order.id)).rejects.toMatchObject({ code: 'ORDER.INVALID_TRANSITION' });
    });

    it('when another writer ships the order between read and write, refuses the cancel instead of overwriting', async () => {
      const order = buildOrder({ status: 'CONFIRMED' });
      const { lifecycle, repository } = arrange(order);
      repository.beforeChange = (id) => {
        repository.orders.get(id)!.status = 'SHIPPED';
      };

      await expect(lifecycle.cancelByCustomer(order.id)).rejects.toMatchObject({
        code: 'ORDER.INVALID_TRANSITION',
        details: { from: 'SHIPPED', to: 'CANCELLED' },
      });
      expect(repository.orders.get(order.id)!.status).toBe('SHIPPED');
      expect(repository.written).toEqual([]);
    });

    it('when inventory confirms between read and write, the cancel still applies — from CONFIRMED, so the stock is released', async () => {
      const order = buildOrder({ status: 'PENDING' });
      const { lifecycle, repository } = arrange(order);
      repository.beforeChange = (id) => {
        repository.orders.get(id)!.status = 'CONFIRMED';
      };

      const updated = await lifecycle.cancelByCustomer(order.id);

      expect(updated.status).toBe('CANCELLED');
      expect(repository.written).toEqual([
        expect.objectContaining({ eventType: 'OrderCancelled', data: expect.objectContaining({ previousStatus: 'CONFIRMED' }) }),
      ]);
    });
  });
});

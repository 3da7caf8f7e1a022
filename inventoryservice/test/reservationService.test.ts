import { runWithContext } from '@orderplatform/shared/context';
import { PermanentError } from '@orderplatform/shared/errors';
import { describe, expect, it } from 'vitest';
import { unitService } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import type { HoldReconciler } from '../src/services/HoldReconciler.js';
import type { ReservationService } from '../src/services/ReservationService.js';
import { TOKENS } from '../src/tokens.js';
import { balances, buildOrder, buildProduct, fakeRepositories } from './support/builders.js';
import { InterleavingSwitch, serviceThrough, SimulatedCrash } from './support/CrashingRepositories.js';

function arrange(stock: Record<string, number>) {
  const fakes = fakeRepositories(Object.entries(stock).map(([productId, available]) => buildProduct({ productId, available })));
  // Grace 0: the reconciler finishes any marker left in flight at once (the tests call its sweep).
  const { container } = unitService(createService, { register: fakes.register, env: { HOLD_MARKER_GRACE_MS: '0' } });
  return { ...fakes, container, service: container.resolve<ReservationService>(TOKENS.ReservationService) };
}

describe('ReservationService.reserve (OrderPlaced)', () => {
  it('when every line is in stock, holds each line and writes one InventoryReserved with the lines', async () => {
    const { service, products, reservations } = arrange({ A: 5, B: 3 });
    const order = buildOrder([
      ['A', 2],
      ['B', 3],
    ]);

    const result = await service.reserve(order);

    expect(result.status).toBe('RESERVED');
    expect(products.snapshot('A')).toMatchObject({ available: 3, reserved: 2, pending: [] });
    expect(products.snapshot('B')).toMatchObject({ available: 0, reserved: 3, pending: [] });
    expect(reservations.holdingOf(order.orderId)).toEqual(['A', 'B']); // the ledger is on the reservation
    const events = reservations.eventsOf(order.orderId);
    expect(events.map((e) => e.eventType)).toEqual(['InventoryReserved']);
    expect(events[0]!.data).toEqual({
      orderId: order.orderId,
      reservationId: result.reservationId,
      items: [
        { productId: 'A', quantity: 2 },
        { productId: 'B', quantity: 3 },
      ],
    });
  });

  it('a first delivery with every line in stock: one hold write for all lines, no product read, the decision, one pull', async () => {
    const { service, products } = arrange({ A: 5, B: 3, C: 9 });
    const calls: string[] = [];
    for (const method of ['findForOrder', 'holdEach', 'removeMarkers'] as const) {
      const inner = products[method].bind(products) as (...args: unknown[]) => Promise<unknown>;
      (products as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        calls.push(method);
        return inner(...args);
      };
    }
    const order = buildOrder([
      ['A', 1],
      ['B', 3],
      ['C', 2],
    ]);

    expect((await service.reserve(order)).status).toBe('RESERVED');
    expect(calls).toEqual(['holdEach', 'removeMarkers']); // a read of the products used to come first
    expect(products.snapshot('C')).toMatchObject({ available: 7, reserved: 2, pending: [] });
  });

  it('when one line is short, holds nothing and reports every short line with what was available', async () => {
    const { service, products, reservations } = arrange({ A: 5, B: 1, C: 0 });
    const order = buildOrder([
      ['A', 2],
      ['B', 2],
      ['C', 1],
    ]);

    const result = await service.reserve(order);

    expect(result.status).toBe('FAILED');
    for (const id of ['A', 'B', 'C']) expect(products.snapshot(id)).toMatchObject({ reserved: 0, pending: [] });
    expect(products.snapshot('A')!.available).toBe(5);
    const [event] = reservations.eventsOf(order.orderId);
    expect(event).toMatchObject({
      eventType: 'InventoryFailed',
      data: {
        orderId: order.orderId,
        reason: 'INSUFFICIENT_STOCK',
        shortfalls: [
          { productId: 'B', requested: 2, available: 1 },
          { productId: 'C', requested: 1, available: 0 },
        ],
      },
    });
    expect(reservations.eventsOf(order.orderId)).toHaveLength(1);
  });

  it('when another order takes a line just before the hold, fails, gives back the lines it held and reports the shortfall', async () => {
    const { container, service, products, reservations } = arrange({ A: 5, B: 3 });
    const order = buildOrder([
      ['A', 2],
      ['B', 3],
    ]);
    const rival = buildOrder([['B', 2]]);
    // Write 1 opens the reservation; the rival cuts in before write 2, the holds of both lines (B's then misses).
    const run = serviceThrough(container, new InterleavingSwitch({ 2: () => service.reserve(rival) }));

    const result = await run.reserve(order);

    expect(result.status).toBe('FAILED');
    expect(products.snapshot('A')).toMatchObject({ available: 5, reserved: 0, pending: [] });
    expect(products.snapshot('B')).toMatchObject({ available: 1, reserved: 2, pending: [] });
    expect(reservations.holdingOf(rival.orderId)).toEqual(['B']);
    expect(reservations.holdingOf(order.orderId)).toEqual([]);
    expect(reservations.eventsOf(order.orderId)).toMatchObject([
      {
        eventType: 'InventoryFailed',
        data: { reason: 'INSUFFICIENT_STOCK', shortfalls: [{ productId: 'B', requested: 3, available: 1 }] },
      },
    ]);
  });

  it('when a product is unknown, fails with UNKNOWN_PRODUCT (even if another line is short) and holds nothing', async () => {
    const { service, products, reservations } = arrange({ A: 5, B: 0 });
    const order = buildOrder([
      ['A', 1],
      ['B', 4],
      ['ghost', 1],
    ]);

    const result = await service.reserve(order);

    expect(result.failure).toEqual({ reason: 'UNKNOWN_PRODUCT', unknownProductIds: ['ghost'] });
    expect(reservations.eventsOf(order.orderId)[0]!.data).toEqual({
      orderId: order.orderId,
      reason: 'UNKNOWN_PRODUCT',
      unknownProductIds: ['ghost'],
    });
    expect(products.snapshot('A')).toMatchObject({ available: 5, reserved: 0, pending: [] });
  });

  it('merges lines naming the same product: holds the total once', async () => {
    const { service, products, reservations } = arrange({ A: 5 });
    const order = buildOrder([
      ['A', 2],
      ['A', 3],
    ]);

    await service.reserve(order);

    expect(products.snapshot('A')).toMatchObject({ available: 0, reserved: 5, pending: [] });
    expect(reservations.holdingOf(order.orderId)).toEqual(['A']);
    expect(reservations.eventsOf(order.orderId)[0]!.data).toMatchObject({ items: [{ productId: 'A', quantity: 5 }] });
  });

  it('when repeated lines fit one by one but not in total, fails with the merged quantity', async () => {
    const { service, products, reservations } = arrange({ A: 4 });
    const order = buildOrder([
      ['A', 2],
      ['A', 3],
    ]);

    await service.reserve(order);

    expect(reservations.eventsOf(order.orderId)[0]!.data).toMatchObject({
      reason: 'INSUFFICIENT_STOCK',
      shortfalls: [{ productId: 'A', requested: 5, available: 4 }],
    });
    expect(products.snapshot('A')).toMatchObject({ available: 4, reserved: 0 });
  });

  it('when the same OrderPlaced is handled again, reserves nothing more and writes no second event', async () => {
    const { service, products, reservations } = arrange({ A: 10 });
    const order = buildOrder([['A', 4]]);
    const first = await service.reserve(order);

    const again = await service.reserve(order);

    expect(again).toMatchObject({ status: 'RESERVED', reservationId: first.reservationId });
    expect(products.snapshot('A')).toMatchObject({ available: 6, reserved: 4 });
    expect(reservations.eventsOf(order.orderId)).toHaveLength(1);
  });

  it('when a previous run stopped after holding some lines, a re-run completes without holding them twice', async () => {
    const { service, products, reservations } = arrange({ A: 10, B: 10 });
    const order = buildOrder([
      ['A', 4],
      ['B', 1],
    ]);
    await reservations.openOrGet(order.orderId, 'res-1', [
      { productId: 'A', quantity: 4 },
      { productId: 'B', quantity: 1 },
    ]);
    await products.hold('A', order.orderId, 4, 'earlier-run');

    const result = await service.reserve(order);

    expect(result).toMatchObject({ status: 'RESERVED', reservationId: 'res-1' });
    expect(products.snapshot('A')).toMatchObject({ available: 6, reserved: 4 });
    expect(products.snapshot('B')).toMatchObject({ available: 9, reserved: 1 });
    expect(reservations.eventsOf(order.orderId)).toHaveLength(1);
  });

  it('when a previous run held a line and then found another short, the re-run fails and gives the held line back', async () => {
    const { service, products, reservations } = arrange({ A: 10, B: 0 });
    const order = buildOrder([
      ['A', 4],
      ['B', 1],
    ]);
    await products.hold('A', order.orderId, 4, 'earlier-run');
    await reservations.openOrGet(order.orderId, 'res-1', [
      { productId: 'A', quantity: 4 },
      { productId: 'B', quantity: 1 },
    ]);

    const result = await service.reserve(order);

    expect(result.status).toBe('FAILED');
    expect(products.snapshot('A')).toMatchObject({ available: 10, reserved: 0, pending: [] });
    expect(reservations.eventsOf(order.orderId).map((e) => e.eventType)).toEqual(['InventoryFailed']);
  });

  it('carries the correlation id of the handled event into the outcome event', async () => {
    const { service, reservations } = arrange({ A: 1 });
    const order = buildOrder([['A', 1]]);

    await runWithContext({ correlationId: 'corr-42', causationId: 'evt-1' }, () => service.reserve(order));

    expect(reservations.eventsOf(order.orderId)[0]).toMatchObject({
      correlationId: 'corr-42',
      causationId: 'evt-1',
      source: 'inventoryservice',
    });
  });
});

describe('ReservationService.release (OrderCancelled)', () => {
  it('gives the stock back and writes one InventoryReleased; a redelivered cancel changes nothing', async () => {
    const { service, products, reservations } = arrange({ A: 10, B: 10 });
    const order = buildOrder([
      ['A', 4],
      ['B', 2],
    ]);
    const reserved = await service.reserve(order);

    await service.release(order.orderId, 'CUSTOMER_REQUEST');
    const again = await service.release(order.orderId, 'CUSTOMER_REQUEST');

    expect(again.status).toBe('RELEASED');
    expect(products.snapshot('A')).toMatchObject({ available: 10, reserved: 0, pending: [] });
    expect(products.snapshot('B')).toMatchObject({ available: 10, reserved: 0, pending: [] });
    const events = reservations.eventsOf(order.orderId);
    expect(events.map((e) => e.eventType)).toEqual(['InventoryReserved', 'InventoryReleased']);
    expect(events[1]!.data).toEqual({
      orderId: order.orderId,
      reservationId: reserved.reservationId,
      items: reserved.lines,
      reason: 'CUSTOMER_REQUEST',
    });
  });

  it('when the reservation had failed, releases nothing and writes no event', async () => {
    const { service, products, reservations } = arrange({ A: 1 });
    const order = buildOrder([['A', 5]]);
    await service.reserve(order);

    const result = await service.release(order.orderId, 'INSUFFICIENT_STOCK');

    expect(result.status).toBe('FAILED');
    expect(products.snapshot('A')).toMatchObject({ available: 1, reserved: 0 });
    expect(reservations.eventsOf(order.orderId).map((e) => e.eventType)).toEqual(['InventoryFailed']);
  });

  it('when the cancel comes before the order was placed, a later OrderPlaced reserves nothing', async () => {
    const { service, products, reservations } = arrange({ A: 10 });
    const order = buildOrder([['A', 3]]);

    const tombstone = await service.release(order.orderId, 'TIMEOUT');
    const late = await service.reserve(order);

    expect(tombstone.status).toBe('CANCELLED_BEFORE_RESERVE');
    expect(late.status).toBe('CANCELLED_BEFORE_RESERVE');
    expect(products.snapshot('A')).toMatchObject({ available: 10, reserved: 0 });
    expect(reservations.eventsOf(order.orderId)).toEqual([]);
  });
});

describe('ReservationService.ship (OrderShipped)', () => {
  it('turns the reserved stock into sold stock once, however often the event comes', async () => {
    const { service, products } = arrange({ A: 10 });
    const order = buildOrder([['A', 4]]);
    await service.reserve(order);

    await service.ship(order.orderId);
    const again = await service.ship(order.orderId);

    expect(again.status).toBe('SOLD');
    expect(products.snapshot('A')).toMatchObject({ available: 6, reserved: 0, sold: 4, pending: [] });
    expect(balances(products.snapshot('A')!)).toBe(true);
  });

  it('refuses (permanently) to ship an order that has no reservation or a failed one', async () => {
    const { service } = arrange({ A: 1 });
    const failed = buildOrder([['A', 2]]);
    await service.reserve(failed);

    await expect(service.ship('never-placed')).rejects.toBeInstanceOf(PermanentError);
    await expect(service.ship(failed.orderId)).rejects.toBeInstanceOf(PermanentError);
  });

  it('a cancel after shipping leaves sold stock sold', async () => {
    const { service, products, reservations } = arrange({ A: 10 });
    const order = buildOrder([['A', 4]]);
    await service.reserve(order);
    await service.ship(order.orderId);

    await service.release(order.orderId, 'ADMIN_REQUEST');

    expect(products.snapshot('A')).toMatchObject({ available: 6, sold: 4 });
    expect(reservations.eventsOf(order.orderId).map((e) => e.eventType)).toEqual(['InventoryReserved']);
  });
});

describe('ReservationService when two handlers of one order interleave (a rebalance moved the partition mid-handler)', () => {
  const linesOf = (order: ReturnType<typeof buildOrder>) => order.items.map((l) => ({ ...l }));

  it('when an OrderPlaced decides RESERVED between the cancel reading RESERVING and its write, the cancel still releases the stock and writes InventoryReleased once', async () => {
    const { container, service, products, reservations } = arrange({ A: 10 });
    const order = buildOrder([['A', 4]]);
    await reservations.openOrGet(order.orderId, 'res-1', linesOf(order)); // an OrderPlaced being handled by the old member
    const cancel = serviceThrough(container, new InterleavingSwitch({ 1: () => service.reserve(order) }));

    const result = await cancel.release(order.orderId, 'TIMEOUT');

    expect(result.status).toBe('RELEASED');
    expect(products.snapshot('A')).toMatchObject({ available: 10, reserved: 0, pending: [] });
    expect(reservations.eventsOf(order.orderId).map((e) => e.eventType)).toEqual(['InventoryReserved', 'InventoryReleased']);
  });

  it('when a stale OrderPlaced holds a line after the order shipped, its hold is given back and nothing is sold twice', async () => {
    const { container, service, products } = arrange({ A: 5 });
    const order = buildOrder([['A', 2]]);
    // The stale run opened the reservation (write 1, it reads RESERVING) and stalls before its hold;
    // meanwhile the new owner of the partition reserves, and the order ships.
    const stale = serviceThrough(
      container,
      new InterleavingSwitch({ 2: async () => (await service.reserve(order), await service.ship(order.orderId)) }),
    );

    await stale.reserve(order);
    await service.ship(order.orderId); // a redelivered OrderShipped

    expect(products.snapshot('A')).toMatchObject({ available: 3, reserved: 0, sold: 2, pending: [] });
    expect(balances(products.snapshot('A')!)).toBe(true);
  });

  it('when a stale OrderPlaced holds a line after the order was released and dies before settling, the hold reconciler gives it back', async () => {
    const { container, service, products, reservations } = arrange({ A: 5, B: 5 });
    const order = buildOrder([
      ['A', 2],
      ['B', 3],
    ]);
    const stale = serviceThrough(
      container,
      new InterleavingSwitch(
        { 2: async () => (await service.reserve(order), await service.release(order.orderId, 'CUSTOMER_REQUEST')) },
        2,
      ),
    );
    await expect(stale.reserve(order)).rejects.toBeInstanceOf(SimulatedCrash); // died right after holding A
    const other = buildOrder([['A', 1]]);
    await service.reserve(other); // a live reservation the reconciler must leave alone

    await container.resolve<HoldReconciler>(TOKENS.HoldReconciler).sweep();

    expect(products.snapshot('A')).toMatchObject({ available: 4, reserved: 1, pending: [] });
    expect(reservations.holdingOf(other.orderId)).toEqual(['A']);
    expect(reservations.holdingOf(order.orderId)).toEqual([]);
    expect(products.snapshot('B')).toMatchObject({ available: 5, reserved: 0, pending: [] });
    for (const id of ['A', 'B']) expect(balances(products.snapshot(id)!)).toBe(true);
    expect(reservations.eventsOf(order.orderId).map((e) => e.eventType)).toEqual(['InventoryReserved', 'InventoryReleased']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../test/support/infra.js';
import { startTestService, type TestServiceOf } from '../../test/support/serviceHarness.js';
import type { InventoryService } from '../src/services/InventoryService.js';
import type { OrderToReserve, ReservationService } from '../src/services/ReservationService.js';
import { createService } from '../src/createService.js';
import { TOKENS } from '../src/tokens.js';
import { buildOrder, outboxOf, stockOf } from './support/builders.js';

/** A small deterministic generator, so a failing run can be reproduced. */
function random(seed: number): (max: number) => number {
  let state = seed;
  return (max) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state % max;
  };
}

describe('reservations under concurrency against the real database', () => {
  let ctx: TestServiceOf<typeof createService>;
  let other: TestServiceOf<typeof createService>;
  /** Two service instances on the same database, as when the consumer group has two members. */
  let instances: ReservationService[];
  let inventory: InventoryService;
  const productIds = ['A', 'B', 'C', 'D'].map((p) => uniqueName(`hot-${p}`));
  const orders: OrderToReserve[] = [];

  beforeAll(async () => {
    ctx = await startTestService(createService, 'inv-concurrency', { holdOutbox: TOKENS.Outbox });
    other = await startTestService(createService, 'unused', { holdOutbox: TOKENS.Outbox, env: { DB_URL: ctx.config.DB_URL } });
    instances = [ctx, other].map((c) => c.container.resolve<ReservationService>(TOKENS.ReservationService));
    inventory = ctx.container.resolve<InventoryService>(TOKENS.InventoryService);
    for (const productId of productIds) await inventory.setStock(productId, { available: 25 });
    const next = random(42);
    for (let i = 0; i < 60; i++) {
      const lines = Array.from({ length: 1 + next(3) }, (): [string, number] => [productIds[next(productIds.length)]!, 1 + next(4)]);
      orders.push(buildOrder(lines, `hot-order-${i}-${uniqueName('o')}`));
    }
  });
  afterAll(async () => {
    await other.close({ drop: false });
    await ctx.close();
  });

  const quantityOf = (order: OrderToReserve, productId: string): number =>
    order.items.filter((l) => l.productId === productId).reduce((sum, l) => sum + l.quantity, 0);

  /** The SPEC §2 invariant and the holds agreeing with the reservations, for every hot product. */
  async function expectConsistentStock(): Promise<Map<string, string>> {
    const statuses = new Map((await ctx.infra.models.reservations.find({}, { status: 1 }).lean()).map((r) => [r._id, r.status as string]));
    for (const productId of productIds) {
      const p = await stockOf(ctx.infra.models, productId);
      expect(p.pending, `markers left in flight on ${productId}`).toEqual([]);
      expect(p.balanced).toBe(true); // SPEC §2, and reserved = Σ of the ledger's holds
      expect(p.available).toBeGreaterThanOrEqual(0);
      const holders = p.holds.map((h) => h.orderId);
      expect(new Set(holders).size).toBe(holders.length); // never reserved twice for one order
      expect(p.reserved).toBe(p.holds.reduce((sum, h) => sum + h.quantity, 0));
      // Exactly the RESERVED orders hold this product, each its merged quantity.
      const expected = orders.filter((o) => statuses.get(o.orderId) === 'RESERVED' && quantityOf(o, productId) > 0);
      expect(holders.sort()).toEqual(expected.map((o) => o.orderId).sort());
      for (const h of p.holds)
        expect(h.quantity).toBe(
          quantityOf(
            orders.find((o) => o.orderId === h.orderId)!,
            productId,
          ),
        );
    }
    return statuses;
  }

  it('60 multi-line orders racing for 4 products on two instances, a quarter delivered twice at once: no oversell, one outcome each', async () => {
    const deliveries = orders.flatMap((order, i) => (i % 4 === 0 ? [order, order] : [order]));

    await Promise.all(deliveries.map((order, i) => instances[i % 2]!.reserve(order)));

    const statuses = await expectConsistentStock();
    const outcomes = orders.map((o) => statuses.get(o.orderId));
    expect(outcomes.every((s) => s === 'RESERVED' || s === 'FAILED')).toBe(true);
    expect(outcomes.filter((s) => s === 'RESERVED').length).toBeGreaterThan(0);
    expect(outcomes.filter((s) => s === 'FAILED').length).toBeGreaterThan(0); // demand is well above the 100 units
    for (const order of orders) {
      const events = (await outboxOf(ctx.infra.models.reservations, order.orderId)).map((e) => e.eventType);
      expect(events).toEqual([statuses.get(order.orderId) === 'RESERVED' ? 'InventoryReserved' : 'InventoryFailed']);
    }
  });

  it('releases, shipments, redeliveries, admin restocks and new orders all at once keep the invariant', async () => {
    const before = await expectConsistentStock();
    const reserved = orders.filter((o) => before.get(o.orderId) === 'RESERVED');
    const toRelease = reserved.filter((_, i) => i % 2 === 0);
    const toShip = reserved.filter((_, i) => i % 2 === 1);
    const next = random(7);
    const newcomers = Array.from({ length: 20 }, (_, i) =>
      buildOrder(
        [
          [productIds[next(4)]!, 1 + next(3)],
          [productIds[next(4)]!, 1 + next(3)],
        ],
        `late-order-${i}-${uniqueName('o')}`,
      ),
    );
    orders.push(...newcomers);

    await Promise.all([
      ...toRelease.flatMap((o) => [
        instances[0]!.release(o.orderId, 'CUSTOMER_REQUEST'),
        instances[1]!.release(o.orderId, 'CUSTOMER_REQUEST'),
      ]),
      ...toShip.flatMap((o) => [instances[1]!.ship(o.orderId), instances[0]!.ship(o.orderId)]),
      ...orders.slice(0, 10).map((o, i) => instances[i % 2]!.reserve(o)), // late redeliveries of decided orders
      ...newcomers.map((o, i) => instances[i % 2]!.reserve(o)),
      ...productIds.map((productId, i) => inventory.setStock(productId, { available: 10 + i })),
    ]);

    const after = await expectConsistentStock();
    for (const o of toRelease) expect(after.get(o.orderId)).toBe('RELEASED');
    for (const o of toShip) expect(after.get(o.orderId)).toBe('SOLD');
    const sold = new Map(productIds.map((id) => [id, toShip.reduce((sum, o) => sum + quantityOf(o, id), 0)]));
    for (const productId of productIds)
      expect((await ctx.infra.models.products.findOne({ productId }).lean())!.sold).toBe(sold.get(productId));
    for (const o of toRelease)
      expect((await outboxOf(ctx.infra.models.reservations, o.orderId)).map((e) => e.eventType)).toEqual([
        'InventoryReserved',
        'InventoryReleased',
      ]);
    for (const o of toShip)
      expect((await outboxOf(ctx.infra.models.reservations, o.orderId)).map((e) => e.eventType)).toEqual(['InventoryReserved']);
    for (const o of newcomers) expect(await outboxOf(ctx.infra.models.reservations, o.orderId)).toHaveLength(1);
  });
});

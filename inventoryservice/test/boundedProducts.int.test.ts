import { BSON } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestServiceOf } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import type { HoldReconciler } from '../src/services/HoldReconciler.js';
import type { ReservationService } from '../src/services/ReservationService.js';
import { TOKENS } from '../src/tokens.js';
import { buildOrder, outboxOf, stockOf, givenProducts as givenProductsIn } from './support/builders.js';
import { InterleavingSwitch, serviceThrough, SimulatedCrash } from './support/CrashingRepositories.js';

/** Product documents hold only what is in flight (ReservationService): bounded, with the same guarantees. */
/** A product of 5 units that every order has given back: nothing reserved, sold, held or in flight. */
const ALL_GIVEN_BACK = { available: 5, reserved: 0, sold: 0, pending: [], holds: [], balanced: true };

describe('bounded product documents against the real database', () => {
  let ctx: TestServiceOf<typeof createService>;
  let healthy: ReservationService;

  beforeAll(async () => {
    ctx = await startTestService(createService, 'inv-bounded', { holdOutbox: TOKENS.Outbox, env: { DB_OPERATION_TIMEOUT_MS: '30000' } });
    healthy = ctx.container.resolve<ReservationService>(TOKENS.ReservationService);
  });
  afterAll(async () => {
    await ctx.close();
  });

  const givenProducts = (stock: Record<string, number>) => givenProductsIn(ctx.infra.models.products, stock);
  const sizeOf = async (productId: string) =>
    BSON.calculateObjectSize((await ctx.infra.models.products.collection.findOne({ productId }))!);
  const eventTypes = async (orderId: string) => (await outboxOf(ctx.infra.models.reservations, orderId)).map((e) => e.eventType);

  it("a product's document does not grow with its open orders: after N reserved, unreleased orders nothing is pending on it", async () => {
    const p = await givenProducts({ a: 1000, b: 1000 });
    const reserveMany = async (n: number) => {
      for (let i = 0; i < n; i++)
        await healthy.reserve(
          buildOrder([
            [p.a!, 2],
            [p.b!, 1],
          ]),
        );
    };
    await reserveMany(5);
    const after5 = await sizeOf(p.a!);
    await reserveMany(60);
    const after65 = await sizeOf(p.a!);

    const a = await stockOf(ctx.infra.models, p.a!);
    expect(a).toMatchObject({ available: 1000 - 130, reserved: 130, pending: [], balanced: true });
    expect(a.holds).toHaveLength(65); // the ledger (on the 65 reservations) says who holds it
    expect(after65).toBe(after5); // counters only: the same size after 65 open orders as after 5 (a hold array grew ~60 bytes per order)
    expect(after65).toBeLessThan(1024);
  });

  it.each([
    { handler: 'release', a: { available: 5, reserved: 0, sold: 0 }, b: { available: 5, reserved: 0, sold: 0 } },
    { handler: 'ship', a: { available: 3, reserved: 0, sold: 2 }, b: { available: 2, reserved: 0, sold: 3 } },
  ] as const)(
    'a stale give-back ($handler): a run paused between its reads and its push while another run completes the give-back gives back once',
    async ({ handler, a, b }) => {
      const p = await givenProducts({ a: 5, b: 5 });
      const order = buildOrder([
        [p.a!, 2],
        [p.b!, 3],
      ]);
      await healthy.reserve(order);
      const act = (s: ReservationService) => (handler === 'release' ? s.release(order.orderId, 'CUSTOMER_REQUEST') : s.ship(order.orderId));
      // Write 1 is the run's status change (after it read the products); before write 2, its give-back
      // push, a whole redelivery of the same event cuts in and completes the give-back (push, record, pull).
      let cutInRan = false;
      const stale = serviceThrough(
        ctx.container,
        new InterleavingSwitch({
          2: async () => {
            await act(healthy);
            cutInRan = true;
          },
        }),
      );

      await act(stale);

      expect(cutInRan).toBe(true);
      expect(await stockOf(ctx.infra.models, p.a!)).toMatchObject({ ...a, pending: [], holds: [], balanced: true });
      expect(await stockOf(ctx.infra.models, p.b!)).toMatchObject({ ...b, pending: [], holds: [], balanced: true });
      expect(await eventTypes(order.orderId)).toEqual(
        handler === 'release' ? ['InventoryReserved', 'InventoryReleased'] : ['InventoryReserved'],
      );
    },
  );

  it('a stray hold marker of a decided reservation: the reconciler leaves it within its grace and reverses it after', async () => {
    const p = await givenProducts({ a: 5 });
    const order = buildOrder([[p.a!, 2]]);
    // A stale OrderPlaced run read RESERVING; meanwhile the order is reserved and released; then the
    // stale run holds (write 2) and dies right after: a hold marker nobody else knows about.
    const stale = serviceThrough(
      ctx.container,
      new InterleavingSwitch(
        { 2: async () => (await healthy.reserve(order), await healthy.release(order.orderId, 'CUSTOMER_REQUEST')) },
        2,
      ),
    );
    await expect(stale.reserve(order)).rejects.toBeInstanceOf(SimulatedCrash);
    expect(await stockOf(ctx.infra.models, p.a!)).toMatchObject({
      available: 3,
      reserved: 2,
      pending: [{ orderId: order.orderId, step: 'hold' }],
      holds: [],
      balanced: true,
    });
    const reconciler = ctx.container.resolve<HoldReconciler>(TOKENS.HoldReconciler); // grace: the default, 60 s

    await reconciler.sweep();
    expect((await stockOf(ctx.infra.models, p.a!)).pending).toHaveLength(1); // in flight as far as it knows

    await ctx.infra.models.products.updateOne({ productId: p.a! }, { $set: { 'pending.0.at': new Date(Date.now() - 61_000) } });
    await reconciler.sweep();
    await reconciler.sweep();

    expect(await stockOf(ctx.infra.models, p.a!)).toMatchObject(ALL_GIVEN_BACK);
    expect(await eventTypes(order.orderId)).toEqual(['InventoryReserved', 'InventoryReleased']);
  });

  it('the reconciler finishes a give-back a run left half done (pushed, not recorded) once its marker is old', async () => {
    const p = await givenProducts({ a: 5 });
    const order = buildOrder([[p.a!, 2]]);
    await healthy.reserve(order);
    // The cancel decides RELEASED (write 1), pushes the give-back (write 2) and dies; its event is not coming back.
    await expect(serviceThrough(ctx.container, new InterleavingSwitch({}, 2)).release(order.orderId, 'TIMEOUT')).rejects.toBeInstanceOf(
      SimulatedCrash,
    );
    expect(await stockOf(ctx.infra.models, p.a!)).toMatchObject({
      available: 5,
      reserved: 0,
      pending: [{ orderId: order.orderId, step: 'release' }],
    });
    await ctx.infra.models.products.updateOne({ productId: p.a! }, { $set: { 'pending.0.at': new Date(Date.now() - 61_000) } });

    await ctx.container.resolve<HoldReconciler>(TOKENS.HoldReconciler).sweep();

    expect(await stockOf(ctx.infra.models, p.a!)).toMatchObject(ALL_GIVEN_BACK);
    expect((await ctx.infra.models.reservations.findById(order.orderId).lean())?.holding).toEqual([]);
  });

  it('the reconciler gives back an ended reservation still holding lines (a cancel that died right after its decision)', async () => {
    const p = await givenProducts({ a: 5, b: 5 });
    const order = buildOrder([
      [p.a!, 2],
      [p.b!, 3],
    ]);
    await healthy.reserve(order);
    await expect(serviceThrough(ctx.container, new InterleavingSwitch({}, 1)).release(order.orderId, 'TIMEOUT')).rejects.toBeInstanceOf(
      SimulatedCrash,
    );
    expect((await ctx.infra.models.reservations.findById(order.orderId).lean())?.holding).toHaveLength(2);

    await ctx.container.resolve<HoldReconciler>(TOKENS.HoldReconciler).sweep(); // no marker anywhere: found by its `holding`

    for (const id of [p.a!, p.b!]) expect(await stockOf(ctx.infra.models, id)).toMatchObject(ALL_GIVEN_BACK);
    expect(await eventTypes(order.orderId)).toEqual(['InventoryReserved', 'InventoryReleased']);
  });
});

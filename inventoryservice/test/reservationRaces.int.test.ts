import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestServiceOf } from '../../test/support/serviceHarness.js';
import type { HoldReconciler } from '../src/services/HoldReconciler.js';
import type { ReservationService } from '../src/services/ReservationService.js';
import { createService } from '../src/createService.js';
import { TOKENS } from '../src/tokens.js';
import { buildOrder, outboxOf, stockOf, givenProducts as givenProductsIn } from './support/builders.js';
import { InterleavingSwitch, serviceThrough, SimulatedCrash } from './support/CrashingRepositories.js';

/**
 * Two handlers of one order running at once, as after a rebalance: the old member still inside its
 * handler while the new owner of the partition handles the same and the following events. Each
 * interleaving is made exact by letting one whole handler cut in right before a write of the other.
 */
describe('reservation handlers of one order interleaving against the real database', () => {
  let ctx: TestServiceOf<typeof createService>;
  let healthy: ReservationService;
  let reconciler: HoldReconciler;

  beforeAll(async () => {
    // Correctness under interleavings, not latency: a loaded shared machine must not time the database out.
    ctx = await startTestService(createService, 'inv-races', {
      holdOutbox: TOKENS.Outbox,
      env: { DB_OPERATION_TIMEOUT_MS: '30000', HOLD_MARKER_GRACE_MS: '0' },
    });
    healthy = ctx.container.resolve<ReservationService>(TOKENS.ReservationService);
    reconciler = ctx.container.resolve<HoldReconciler>(TOKENS.HoldReconciler);
  });
  afterAll(async () => {
    await ctx.close();
  });

  const givenProducts = (stock: Record<string, number>) => givenProductsIn(ctx.infra.models.products, stock);
  /** The product's stock; holders = the orders its ledger says hold it, plus those with a hold marker on it (recorded or not). */
  const stock = async (productId: string) => {
    const { available, reserved, sold, holds, pending, balanced } = await stockOf(ctx.infra.models, productId);
    const marked = pending.filter((m) => m.step === 'hold').map((m) => m.orderId);
    return { available, reserved, sold, holders: [...new Set([...holds.map((h) => h.orderId), ...marked])].sort(), balanced };
  };
  const statusOf = async (orderId: string) => (await ctx.infra.models.reservations.findById(orderId).lean())?.status;
  const eventTypes = async (orderId: string) => (await outboxOf(ctx.infra.models.reservations, orderId)).map((e) => e.eventType);

  it('a cancel racing an OrderPlaced at every write of either: the stock ends released once, InventoryReleased once iff InventoryReserved', async () => {
    const outcomes = new Set<string>();
    for (const preheld of [false, true]) {
      for (const cutInto of ['release', 'reserve'] as const) {
        for (let at = 1; ; at++) {
          const p = await givenProducts({ a: 5, b: 5 });
          const order = buildOrder([
            [p.a!, 2],
            [p.b!, 3],
          ]);
          // The old member opened the reservation (and maybe held a line) before the partition moved.
          const opener = serviceThrough(ctx.container, new InterleavingSwitch({}, preheld ? 2 : 1));
          await opener.reserve(order).catch((err: unknown) => expect(err).toBeInstanceOf(SimulatedCrash));
          const cancel = () => healthy.release(order.orderId, 'TIMEOUT');
          const place = () => healthy.reserve(order);
          const cut = new InterleavingSwitch({ [at]: cutInto === 'release' ? place : cancel });
          const run = serviceThrough(ctx.container, cut);

          const expectReleasedOnce = async (when: string) => {
            const status = await statusOf(order.orderId);
            const events = await eventTypes(order.orderId);
            outcomes.add(`${status} ${events.join('+')}`);
            expect(
              ['RELEASED', 'CANCELLED_BEFORE_RESERVE'],
              `${when}: ${cutInto} cut at write ${at}${preheld ? ', a line held before' : ''}`,
            ).toContain(status);
            expect(events).toEqual(status === 'RELEASED' ? ['InventoryReserved', 'InventoryReleased'] : []);
            expect(await stock(p.a!)).toEqual({ available: 5, reserved: 0, sold: 0, holders: [], balanced: true });
            expect(await stock(p.b!)).toEqual({ available: 5, reserved: 0, sold: 0, holders: [], balanced: true });
          };

          await (cutInto === 'release' ? run.release(order.orderId, 'TIMEOUT') : run.reserve(order));
          const cutInRan = cut.writes >= at;
          if (!cutInRan) await (cutInto === 'release' ? place() : cancel()); // past the run's last write: the other one comes after
          await expectReleasedOnce('both handled once');
          await place();
          await cancel();
          await expectReleasedOnce('after redeliveries');
          if (!cutInRan) break; // every cut point of the run is covered
        }
      }
    }
    expect([...outcomes].sort()).toEqual(['CANCELLED_BEFORE_RESERVE ', 'RELEASED InventoryReserved+InventoryReleased']);
  });

  /** A stale OrderPlaced run: it opened the reservation (reading RESERVING), then `meanwhile` happens, then it holds; with `dies` it stops right after its first hold. */
  const staleRun = (meanwhile: () => Promise<unknown>, dies: boolean) =>
    serviceThrough(ctx.container, new InterleavingSwitch({ 2: meanwhile }, dies ? 2 : Infinity));

  it.each([
    { winner: 'RELEASED', short: false },
    { winner: 'FAILED', short: true },
  ])(
    'a stale OrderPlaced that holds a line after the order ended $winner and dies before settling: the reconciler gives it back, live holds stay',
    async ({ winner, short }) => {
      // Short: b is written down after the stale run read enough of it, so that run still tries to hold.
      const p = await givenProducts({ a: 5, b: short ? 14 : 5 });
      const order = buildOrder([
        [p.a!, 2],
        [p.b!, short ? 9 : 3],
      ]);
      const stale = staleRun(async () => {
        if (short) await ctx.infra.models.products.updateOne({ productId: p.b! }, { $inc: { available: -9, restocked: -9 } });
        await healthy.reserve(order);
        if (!short) await healthy.release(order.orderId, 'CUSTOMER_REQUEST');
      }, true);
      await expect(stale.reserve(order)).rejects.toBeInstanceOf(SimulatedCrash);
      expect((await stock(p.a!)).holders).toEqual([order.orderId]); // the stray hold nobody else would release
      const live = buildOrder([[p.a!, 1]]);
      await healthy.reserve(live); // RESERVED: its hold must stay
      const inProgress = buildOrder([[p.b!, 1]]);
      await serviceThrough(ctx.container, new InterleavingSwitch({}, 2))
        .reserve(inProgress)
        .catch(() => undefined); // RESERVING, holding b

      await reconciler.sweep();
      await reconciler.sweep();

      expect(await statusOf(order.orderId)).toBe(winner);
      expect(await stock(p.a!)).toEqual({ available: 4, reserved: 1, sold: 0, holders: [live.orderId], balanced: true });
      expect(await stock(p.b!)).toEqual({ available: 4, reserved: 1, sold: 0, holders: [inProgress.orderId], balanced: true });
      expect(await eventTypes(order.orderId)).toEqual(short ? ['InventoryFailed'] : ['InventoryReserved', 'InventoryReleased']);
    },
  );

  it.each([{ dies: false }, { dies: true }])(
    'a stale OrderPlaced that holds lines after the order shipped (dies: $dies): its holds are given back, the units sold once',
    async ({ dies }) => {
      const p = await givenProducts({ a: 5, b: 5 });
      const order = buildOrder([
        [p.a!, 2],
        [p.b!, 3],
      ]);
      const stale = staleRun(async () => {
        await healthy.reserve(order);
        await healthy.ship(order.orderId);
      }, dies);

      await stale.reserve(order).catch((err: unknown) => expect(dies && err instanceof SimulatedCrash).toBe(true));
      await reconciler.sweep();
      await healthy.ship(order.orderId); // a redelivered OrderShipped sells nothing more

      expect(await statusOf(order.orderId)).toBe('SOLD');
      expect(await stock(p.a!)).toEqual({ available: 3, reserved: 0, sold: 2, holders: [], balanced: true });
      expect(await stock(p.b!)).toEqual({ available: 2, reserved: 0, sold: 3, holders: [], balanced: true });
      expect(await eventTypes(order.orderId)).toEqual(['InventoryReserved']);
    },
  );
});

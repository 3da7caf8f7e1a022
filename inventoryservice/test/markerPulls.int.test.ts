import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestServiceOf } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import { MarkerPulls } from '../src/services/MarkerPulls.js';
import type { ProductRepository } from '../src/services/ports/ProductRepository.js';
import type { ReservationService } from '../src/services/ReservationService.js';
import { TOKENS } from '../src/tokens.js';
import { buildOrder, givenProducts as givenProductsIn, stockOf } from './support/builders.js';

/** The plain marker pulls of a consumer wave's orders, written together (MarkerPulls), on the real database. */
describe('marker pulls of a wave against the real database', () => {
  let ctx: TestServiceOf<typeof createService>;
  let service: ReservationService;
  let products: ProductRepository;
  /** Product updates that pull markers, one entry per update statement, while `watching`. */
  let pullStatements: number;
  let watching = false;

  beforeAll(async () => {
    ctx = await startTestService(createService, 'inv-pulls', { holdOutbox: TOKENS.Outbox, env: { DB_OPERATION_TIMEOUT_MS: '30000' } });
    service = ctx.container.resolve<ReservationService>(TOKENS.ReservationService);
    products = ctx.container.resolve<ProductRepository>(TOKENS.ProductRepository);
    ctx.infra.models.products.db.getClient().on('commandStarted', (event: CommandStartedEvent) => {
      if (!watching || event.commandName !== 'update' || event.command.update !== ctx.infra.models.products.collection.collectionName)
        return;
      const updates = event.command.updates as Array<{ u: Record<string, unknown> }>;
      pullStatements += updates.filter((u) => '$pull' in u.u && !('$inc' in u.u)).length;
    });
  });
  afterAll(async () => {
    await ctx.close();
  });

  const givenProducts = (stock: Record<string, number>) => givenProductsIn(ctx.infra.models.products, stock);
  const pendingOn = async (productId: string) => (await stockOf(ctx.infra.models, productId)).pending;
  const eightOrdersOn = (p: Record<string, string>) =>
    Array.from({ length: 8 }, () =>
      buildOrder([
        [p.a!, 1],
        [p.b!, 2],
        [p.c!, 1],
      ]),
    );

  it('eight orders on the same three products: their pulls are three product writes, made at the flush, and nothing stays pending', async () => {
    const p = await givenProducts({ a: 100, b: 100, c: 100 });
    const pulls = new MarkerPulls(products, 100); // no early write: everything at the flush
    watching = true;
    pullStatements = 0;
    const decided = await Promise.all(eightOrdersOn(p).map((order) => service.reserve(order, pulls)));

    expect(decided.map((r) => r.status)).toEqual(Array(8).fill('RESERVED'));
    expect(pullStatements).toBe(0); // deferred: the recorded hold markers are still on the products
    expect(await pendingOn(p.a!)).toHaveLength(8);

    await pulls.flush();
    watching = false;

    expect(pullStatements).toBe(3); // one per product (one per product and order without MarkerPulls: 24)
    for (const [id, units] of [
      [p.a!, 8],
      [p.b!, 16],
      [p.c!, 8],
    ] as const)
      expect(await stockOf(ctx.infra.models, id)).toMatchObject({ available: 100 - units, reserved: units, pending: [], balanced: true });
  });

  it('without a wave each order pulls its own markers at once (the HoldReconciler and single events)', async () => {
    const p = await givenProducts({ a: 100, b: 100, c: 100 });
    watching = true;
    pullStatements = 0;
    for (const order of eightOrdersOn(p)) await service.reserve(order);
    watching = false;

    expect(pullStatements).toBe(24);
    expect(await pendingOn(p.b!)).toEqual([]);
  });

  it('a pull of several orders removes exactly their markers: a marker of another order or another step stays', async () => {
    const p = await givenProducts({ a: 100 });
    const [first, second, third] = [buildOrder([[p.a!, 1]]), buildOrder([[p.a!, 1]]), buildOrder([[p.a!, 2]])];
    for (const order of [first!, second!, third!])
      expect(await products.holdEach(order.orderId, order.items, `attempt-${order.orderId}`)).toBe(1);

    await products.removeMarkers([
      { orderId: first!.orderId, productId: p.a!, attemptId: `attempt-${first!.orderId}`, step: 'hold', quantity: 1, reverse: false },
      { orderId: second!.orderId, productId: p.a!, attemptId: `attempt-${second!.orderId}`, step: 'release', quantity: 1, reverse: false },
      { orderId: third!.orderId, productId: p.a!, attemptId: `attempt-${third!.orderId}`, step: 'hold', quantity: 2, reverse: true },
    ]);

    // first: pulled; second: its hold marker stays (the removal named another step); third: reversed (units back).
    expect(await stockOf(ctx.infra.models, p.a!)).toMatchObject({ available: 98, reserved: 2 });
    expect((await pendingOn(p.a!)).map((m) => [m.orderId, m.step])).toEqual([[second!.orderId, 'hold']]);
  });

  it('a flush whose write fails rejects, so the wave fails and its events are redelivered', async () => {
    const failing: ProductRepository = Object.assign(Object.create(products) as ProductRepository, {
      removeMarkers: () => Promise.reject(new Error('database gone')),
    });
    const pulls = new MarkerPulls(failing, 1);
    pulls.add([{ orderId: 'o', productId: 'x', attemptId: 'a', step: 'hold', quantity: 1, reverse: false }]);
    await expect(pulls.flush()).rejects.toThrow('database gone');
  });
});

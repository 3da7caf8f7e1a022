import { randomUUID } from 'node:crypto';
import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestServiceOf } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import { MarkerPulls } from '../src/services/MarkerPulls.js';
import type { ProductRepository } from '../src/services/ports/ProductRepository.js';
import type { ReservationService } from '../src/services/ReservationService.js';
import { WaveHolds } from '../src/services/WaveHolds.js';
import { TOKENS } from '../src/tokens.js';
import { buildOrder, givenProducts as givenProductsIn, stockOf } from './support/builders.js';

/** The first hold writes of a consumer wave's orders, written together (WaveHolds, holdTogether), on the real database. */
describe('hold writes of a wave against the real database', () => {
  let ctx: TestServiceOf<typeof createService>;
  let service: ReservationService;
  let products: ProductRepository;
  /** Product update statements that hold stock (take from available), while `watching`. */
  let holdStatements: number;
  let watching = false;

  beforeAll(async () => {
    ctx = await startTestService(createService, 'inv-holds', { holdOutbox: TOKENS.Outbox, env: { DB_OPERATION_TIMEOUT_MS: '30000' } });
    service = ctx.container.resolve<ReservationService>(TOKENS.ReservationService);
    products = ctx.container.resolve<ProductRepository>(TOKENS.ProductRepository);
    ctx.infra.models.products.db.getClient().on('commandStarted', (event: CommandStartedEvent) => {
      if (!watching || event.commandName !== 'update' || event.command.update !== ctx.infra.models.products.collection.collectionName)
        return;
      const updates = event.command.updates as Array<{ u: { $inc?: { available?: number } } }>;
      holdStatements += updates.filter((u) => (u.u.$inc?.available ?? 0) < 0).length;
    });
  });
  afterAll(async () => {
    await ctx.close();
  });

  const givenProducts = (stock: Record<string, number>) => givenProductsIn(ctx.infra.models.products, stock);
  const ordersOn = (count: number, p: Record<string, string>) =>
    Array.from({ length: count }, () =>
      buildOrder([
        [p.a!, 1],
        [p.b!, 2],
        [p.c!, 1],
      ]),
    );
  /** Reserves `orders` as one wave does: side by side, with the wave's holds and pulls, pulls flushed at the end. */
  const reserveAsWave = async (orders: ReturnType<typeof ordersOn>) => {
    const pulls = new MarkerPulls(products);
    const holds = new WaveHolds(products);
    const decided = await Promise.all(orders.map((order) => service.reserve(order, pulls, holds)));
    await pulls.flush();
    return decided;
  };

  it('eight orders on the same three products: their holds are three product writes, and each order holds its own lines', async () => {
    const p = await givenProducts({ a: 100, b: 100, c: 100 });
    const orders = ordersOn(8, p);
    const holds = new WaveHolds(products);
    watching = true;
    holdStatements = 0;
    // Asked in one turn, as the orders of a wave that reach the step together.
    const answers = await Promise.all(orders.map((o) => holds.holdAll(o.orderId, o.items, `attempt-${randomUUID()}`)));
    watching = false;

    expect(answers).toEqual(Array(8).fill(true));
    expect(holdStatements).toBe(3); // one per product (one per product and order with holdEach: 24)
    for (const [id, units] of [
      [p.a!, 8],
      [p.b!, 16],
      [p.c!, 8],
    ] as const) {
      const doc = (await ctx.infra.models.products.findOne({ productId: id }).lean())!;
      expect(doc).toMatchObject({ available: 100 - units, reserved: units });
      expect(doc.pending.map((m) => m.orderId).sort()).toEqual(orders.map((o) => o.orderId).sort());
    }
  });

  it('eight orders reserved as a wave: all RESERVED, each holding its own lines, nothing left pending', async () => {
    const p = await givenProducts({ a: 100, b: 100, c: 100 });
    watching = true;
    holdStatements = 0;
    const decided = await reserveAsWave(ordersOn(8, p));
    watching = false;

    expect(decided.map((r) => r.status)).toEqual(Array(8).fill('RESERVED'));
    expect(holdStatements).toBeGreaterThanOrEqual(3); // how many orders go together depends on when their opens return
    expect(holdStatements).toBeLessThanOrEqual(24);
    for (const [id, units] of [
      [p.a!, 8],
      [p.b!, 16],
      [p.c!, 8],
    ] as const) {
      const stock = await stockOf(ctx.infra.models, id);
      expect(stock).toMatchObject({ available: 100 - units, reserved: units, pending: [], balanced: true });
      expect(stock.holds.map((h) => h.orderId).sort()).toEqual(decided.map((r) => r.orderId).sort());
    }
  });

  it('stock for five of eight: exactly five are RESERVED, three FAILED with the shortfall, nothing held twice or left held', async () => {
    const p = await givenProducts({ a: 100, b: 10, c: 100 }); // b: 2 a line → five orders
    const decided = await reserveAsWave(ordersOn(8, p));

    expect(decided.filter((r) => r.status === 'RESERVED')).toHaveLength(5);
    const failed = decided.filter((r) => r.status === 'FAILED');
    expect(failed).toHaveLength(3);
    for (const r of failed)
      expect(r.failure).toMatchObject({ reason: 'INSUFFICIENT_STOCK', shortfalls: [{ productId: p.b!, requested: 2 }] });
    for (const [id, units] of [
      [p.a!, 5],
      [p.b!, 10],
      [p.c!, 5],
    ] as const)
      expect(await stockOf(ctx.infra.models, id)).toMatchObject({
        available: (id === p.b ? 10 : 100) - units,
        reserved: units,
        pending: [],
        balanced: true,
      });
  });

  it('a redelivered order in the wave holds nothing twice, and the orders beside it still reserve', async () => {
    const p = await givenProducts({ a: 100, b: 100, c: 100 });
    const [again, ...others] = ordersOn(4, p);
    expect((await service.reserve(again!)).status).toBe('RESERVED');

    const decided = await reserveAsWave([again!, ...others]);

    expect(decided.map((r) => r.status)).toEqual(Array(4).fill('RESERVED'));
    expect(await stockOf(ctx.infra.models, p.b!)).toMatchObject({ available: 92, reserved: 8, pending: [], balanced: true });
  });

  it('holdTogether: a product short for the sum refuses all of its orders; the others take theirs; a marked order is refused', async () => {
    const p = await givenProducts({ a: 3, b: 10 });
    const req = (orderId: string, lines: Array<[string, number]>) => ({
      orderId,
      attemptId: `attempt-${randomUUID()}`, // fresh per attempt, as ReservationService makes them
      lines: lines.map(([productId, quantity]) => ({ productId, quantity })),
    });
    const first = await products.holdTogether([
      req('o1', [[p.a!, 2]]),
      req('o2', [
        [p.a!, 2],
        [p.b!, 1],
      ]),
      req('o3', [[p.b!, 1]]),
    ]);
    // a: 4 wanted, 3 there → neither o1 nor o2 holds it; b: o2 and o3 both hold theirs.
    expect([...first].sort()).toEqual(['o3']);
    expect((await stockOf(ctx.infra.models, p.a!)).pending).toEqual([]);
    expect((await stockOf(ctx.infra.models, p.b!)).pending.map((m) => m.orderId).sort()).toEqual(['o2', 'o3']);

    const second = await products.holdTogether([req('o3', [[p.b!, 1]]), req('o4', [[p.b!, 1]])]);
    expect([...second]).toEqual([]); // o3 is marked on b already: nothing is pushed for either
    const b = await ctx.infra.models.products.findOne({ productId: p.b! }).lean();
    expect(b).toMatchObject({ available: 8, reserved: 2 });
    expect(b!.pending.map((m) => [m.orderId, m.quantity, m.step])).toEqual([
      ['o2', 1, 'hold'],
      ['o3', 1, 'hold'],
    ]);
  });

  it('a hold write that fails rejects every order in it, so their events are redelivered', async () => {
    const failing: ProductRepository = Object.assign(Object.create(products) as ProductRepository, {
      holdTogether: () => Promise.reject(new Error('database gone')),
    });
    const holds = new WaveHolds(failing);
    const answers = await Promise.allSettled([holds.holdAll('o1', [{ productId: 'x', quantity: 1 }], 'a1'), holds.holdAll('o2', [], 'a2')]);
    expect(answers.map((a) => a.status)).toEqual(['rejected', 'rejected']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestServiceOf } from '../../test/support/serviceHarness.js';
import type { ProductRepository } from '../src/services/ports/ProductRepository.js';
import type { ReservationRepository } from '../src/services/ports/ReservationRepository.js';
import type { ReservationService } from '../src/services/ReservationService.js';
import { createService } from '../src/createService.js';
import { TOKENS } from '../src/tokens.js';
import { buildOrder, outboxOf, stockOf, givenProducts as givenProductsIn } from './support/builders.js';
import { CrashingProductRepository, CrashingReservationRepository, CrashSwitch, SimulatedCrash } from './support/CrashingRepositories.js';

type Step = (service: ReservationService) => Promise<unknown>;

describe('reservations against the real database survive a crash between any two writes', () => {
  let ctx: TestServiceOf<typeof createService>;
  let healthy: ReservationService;

  beforeAll(async () => {
    ctx = await startTestService(createService, 'inv-crash', { holdOutbox: TOKENS.Outbox });
    healthy = ctx.container.resolve<ReservationService>(TOKENS.ReservationService);
  });
  afterAll(async () => {
    await ctx.close();
  });

  /** A service whose repositories die right after their `crashAfter`-th write. */
  function crashingService(crashAfter: number): { service: ReservationService; crash: CrashSwitch } {
    const crash = new CrashSwitch(crashAfter);
    const child = ctx.container.createChildContainer();
    child.registerInstance(
      TOKENS.ProductRepository,
      new CrashingProductRepository(ctx.container.resolve<ProductRepository>(TOKENS.ProductRepository), crash),
    );
    child.registerInstance(
      TOKENS.ReservationRepository,
      new CrashingReservationRepository(ctx.container.resolve<ReservationRepository>(TOKENS.ReservationRepository), crash),
    );
    return { service: child.resolve<ReservationService>(TOKENS.ReservationService), crash };
  }

  /**
   * For N = 1, 2, …: a fresh scenario; the handler dies right after its N-th write; then the event is
   * redelivered twice to a healthy instance; `check` sees the final state. Stops at the first N the
   * handler gets through, so every crash point of the path is covered. Returns how many there were.
   */
  async function everyCrashPoint(scenario: () => Promise<{ step: Step; check: () => Promise<void> }>): Promise<number> {
    for (let crashAfter = 1; crashAfter < 50; crashAfter++) {
      const { step, check } = await scenario();
      const { service } = crashingService(crashAfter);
      const crashed = await step(service).then(
        () => false,
        (err: unknown) => {
          if (err instanceof SimulatedCrash) return true;
          throw err;
        },
      );
      await step(healthy);
      await step(healthy);
      await check();
      if (!crashed) return crashAfter - 1;
    }
    throw new Error('the handler never finished');
  }

  const givenProducts = (stock: Record<string, number>) => givenProductsIn(ctx.infra.models.products, stock);

  /** The product's stock, the orders its ledger says hold it, and no marker left in flight. */
  const stock = async (productId: string) => {
    const { pending, ...rest } = await stockOf(ctx.infra.models, productId);
    expect(pending, `markers left in flight on ${productId}`).toEqual([]);
    return rest;
  };
  const eventTypes = async (orderId: string) => (await outboxOf(ctx.infra.models.reservations, orderId)).map((e) => e.eventType);

  it('OrderPlaced that fits: every crash point ends RESERVED, each line held once, one InventoryReserved', async () => {
    const crashPoints = await everyCrashPoint(async () => {
      const p = await givenProducts({ a: 5, b: 5 });
      const order = buildOrder([
        [p.a!, 2],
        [p.b!, 3],
      ]);
      return {
        step: (s) => s.reserve(order),
        check: async () => {
          expect((await ctx.infra.models.reservations.findById(order.orderId).lean())?.status).toBe('RESERVED');
          expect(await stock(p.a!)).toEqual({
            available: 3,
            reserved: 2,
            sold: 0,
            holds: [{ orderId: order.orderId, quantity: 2 }],
            balanced: true,
          });
          expect(await stock(p.b!)).toEqual({
            available: 2,
            reserved: 3,
            sold: 0,
            holds: [{ orderId: order.orderId, quantity: 3 }],
            balanced: true,
          });
          expect(await eventTypes(order.orderId)).toEqual(['InventoryReserved']);
        },
      };
    });
    expect(crashPoints).toBe(4); // open, hold a and b (one round trip), decide (recording the holds), pull the hold markers
  });

  it('OrderPlaced with a short line: every crash point ends FAILED holding nothing, one InventoryFailed', async () => {
    const crashPoints = await everyCrashPoint(async () => {
      const p = await givenProducts({ a: 5, b: 1 });
      const order = buildOrder([
        [p.a!, 2],
        [p.b!, 3],
      ]);
      return {
        step: (s) => s.reserve(order),
        check: async () => {
          expect((await ctx.infra.models.reservations.findById(order.orderId).lean())?.status).toBe('FAILED');
          expect(await stock(p.a!)).toEqual({ available: 5, reserved: 0, sold: 0, holds: [], balanced: true });
          expect(await stock(p.b!)).toEqual({ available: 1, reserved: 0, sold: 0, holds: [], balanced: true });
          const outbox = await outboxOf(ctx.infra.models.reservations, order.orderId);
          expect(outbox.map((e) => e.eventType)).toEqual(['InventoryFailed']);
          expect(JSON.parse(outbox[0]!.value).data.shortfalls).toEqual([{ productId: p.b, requested: 3, available: 1 }]);
        },
      };
    });
    expect(crashPoints).toBe(4); // open, hold (a is taken, b misses), decide (b is short when read), reverse a's unrecorded hold
  });

  it('OrderCancelled: every crash point ends RELEASED with all stock back, one InventoryReleased', async () => {
    const crashPoints = await everyCrashPoint(async () => {
      const p = await givenProducts({ a: 5, b: 5 });
      const order = buildOrder([
        [p.a!, 2],
        [p.b!, 3],
      ]);
      await healthy.reserve(order);
      return {
        step: (s) => s.release(order.orderId, 'CUSTOMER_REQUEST'),
        check: async () => {
          expect((await ctx.infra.models.reservations.findById(order.orderId).lean())?.status).toBe('RELEASED');
          expect(await stock(p.a!)).toEqual({ available: 5, reserved: 0, sold: 0, holds: [], balanced: true });
          expect(await stock(p.b!)).toEqual({ available: 5, reserved: 0, sold: 0, holds: [], balanced: true });
          expect(await eventTypes(order.orderId)).toEqual(['InventoryReserved', 'InventoryReleased']);
        },
      };
    });
    expect(crashPoints).toBe(4); // decide, give back a and b (one round trip), record them given back, pull the markers
  });

  it('OrderShipped: every crash point ends SOLD with the reserved units sold exactly once', async () => {
    const crashPoints = await everyCrashPoint(async () => {
      const p = await givenProducts({ a: 5, b: 5 });
      const order = buildOrder([
        [p.a!, 2],
        [p.b!, 3],
      ]);
      await healthy.reserve(order);
      return {
        step: (s) => s.ship(order.orderId),
        check: async () => {
          expect((await ctx.infra.models.reservations.findById(order.orderId).lean())?.status).toBe('SOLD');
          expect(await stock(p.a!)).toEqual({ available: 3, reserved: 0, sold: 2, holds: [], balanced: true });
          expect(await stock(p.b!)).toEqual({ available: 2, reserved: 0, sold: 3, holds: [], balanced: true });
          expect(await eventTypes(order.orderId)).toEqual(['InventoryReserved']);
        },
      };
    });
    expect(crashPoints).toBe(4); // decide, sell a and b (one round trip), record them given back, pull the markers
  });

  it('a cancel that came first (tombstone): every crash point leaves the late OrderPlaced reserving nothing', async () => {
    const crashPoints = await everyCrashPoint(async () => {
      const p = await givenProducts({ a: 5 });
      const order = buildOrder([[p.a!, 2]]);
      return {
        step: async (s) => {
          await s.release(order.orderId, 'TIMEOUT');
          await s.reserve(order);
        },
        check: async () => {
          expect((await ctx.infra.models.reservations.findById(order.orderId).lean())?.status).toBe('CANCELLED_BEFORE_RESERVE');
          expect(await stock(p.a!)).toEqual({ available: 5, reserved: 0, sold: 0, holds: [], balanced: true });
          expect(await eventTypes(order.orderId)).toEqual([]);
        },
      };
    });
    expect(crashPoints).toBe(2); // tombstone, open (finds the tombstone)
  });
});

import { seeded } from '@orderplatform/shared/testing';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, http } from '../support/http.js';
import { dbUrlFor, uniqueName } from '../support/infra.js';
import { isolatedTopicsEnv, startService, type RunningService } from '../support/services.js';

const PRODUCTS = ['c1', 'c2', 'c3', 'c4', 'c5'];
const STOCK = 50;

/**
 * 200 orders from 20 concurrent clients against 5 products of 50 units, with two inventory instances
 * in one consumer group, one of them SIGKILLed and restarted mid-run. Afterwards the books must balance.
 */
describe('concurrent orders while an inventory instance crashes', () => {
  const env = isolatedTopicsEnv(uniqueName('conc'));
  const inventoryDb = uniqueName('inventorydb');
  const orderDb = uniqueName('orderdb');
  const running: RunningService[] = [];
  let orders: RunningService;

  const startInventory = async () => {
    const service = await startService('inventoryservice', { dbName: inventoryDb, env: { ...env, SEED_CATALOG: 'false' } });
    running.push(service);
    return service;
  };

  beforeAll(async () => {
    orders = await startService('orderservice', { dbName: orderDb, env });
    running.push(orders);
    const first = await startInventory();
    await startInventory();
    for (const productId of PRODUCTS) {
      const res = await http('PUT', `${first.url}/api/inventory/${productId}`, { name: `Product ${productId}`, available: STOCK }, admin);
      expect(res.status).toBeLessThan(300);
    }
  });
  afterAll(async () => {
    await Promise.all(running.map((s) => s.kill()));
  });

  it(
    'ends every order terminal, never oversells, never reserves twice, and confirmed units equal units taken',
    { timeout: 300_000 },
    async () => {
      const random = seeded(20261122);
      const requests = Array.from({ length: 200 }, (_, i) => {
        const lines = 1 + Math.floor(random() * 3);
        const chosen = [...PRODUCTS].sort(() => random() - 0.5).slice(0, lines);
        return {
          customerId: `client-${i % 20}`,
          items: chosen.map((productId) => ({ productId, quantity: 1 + Math.floor(random() * 3), price: 9.99 })),
        };
      });

      // Act: 20 clients, 10 orders each; the first inventory instance is killed and restarted mid-run.
      const ids: string[] = [];
      let placed = 0;
      let crash: Promise<void> | undefined;
      await Promise.all(
        Array.from({ length: 20 }, async (_, client) => {
          for (let n = 0; n < 10; n++) {
            const res = await http('POST', `${orders.url}/api/orders`, requests[client * 10 + n]);
            expect(res.status).toBe(201);
            ids.push(res.body.data.id);
            placed += 1;
            if (placed === 70 && !crash) {
              const victim = running.find((s) => s.name === 'inventoryservice')!;
              crash = victim.kill().then(async () => {
                running.splice(running.indexOf(victim), 1);
                await startInventory();
              });
            }
          }
        }),
      );
      await crash;

      // Every order reaches a terminal state. The killed member's partitions move on once the group
      // coordinator notices it is gone (session timeout), so allow for that.
      const settle = async (id: string) =>
        (await http('GET', `${orders.url}/api/orders/${id}?waitFor=CONFIRMED,CANCELLED&timeoutMs=30000`)).body.data;
      let final = await Promise.all(ids.map(settle));
      for (let round = 0; round < 3 && final.some((o) => o.status === 'PENDING'); round++) final = await Promise.all(ids.map(settle));
      expect(final.filter((o) => o.status === 'PENDING').map((o) => o.id)).toEqual([]);

      // Assert on what is stored in inventory's own database.
      const client = new MongoClient(dbUrlFor(inventoryDb));
      await client.connect();
      try {
        const db = client.db();
        // Let in-flight reservation work finish: the stock stops moving once every order is terminal and handled.
        let products = await db
          .collection('products')
          .find({ productId: { $in: PRODUCTS } })
          .toArray();
        for (let i = 0; i < 100; i++) {
          await new Promise((r) => setTimeout(r, 200));
          const again = await db
            .collection('products')
            .find({ productId: { $in: PRODUCTS } })
            .toArray();
          const same =
            JSON.stringify(again.map((p) => [p.available, p.reserved, p.sold])) ===
            JSON.stringify(products.map((p) => [p.available, p.reserved, p.sold]));
          products = again;
          if (same && i > 5) break;
        }
        expect(products).toHaveLength(5);
        for (const p of products) {
          expect(p.available).toBeGreaterThanOrEqual(0);
          expect(p.initial + p.restocked).toBe(p.available + p.reserved + p.sold);
        }
        const reservations = await db.collection('reservations').find({}).toArray();
        const perOrder = new Map<string, number>();
        for (const r of reservations) perOrder.set(String(r.orderId ?? r._id), (perOrder.get(String(r.orderId ?? r._id)) ?? 0) + 1);
        expect([...perOrder.values()].every((n) => n === 1)).toBe(true);
        // The ledger is on the reservations: which products each still holds (`holding`), each line's counted hold (`held`).
        type Ledger = {
          _id: string;
          lines: Array<{ productId: string; quantity: number }>;
          held?: Array<{ productId: string; attemptId: string }>;
          holding?: string[];
        };
        const ledgers = reservations as unknown as Ledger[];
        for (const r of ledgers) expect(new Set(r.holding ?? []).size, `holding of ${r._id}`).toBe((r.holding ?? []).length); // one hold per order per product

        const reservationOf = new Map(reservations.map((r) => [String(r._id), r]));
        for (const order of final) {
          const status = reservationOf.get(order.id)?.status;
          if (order.status === 'CONFIRMED') expect(status, `reservation of confirmed order ${order.id}`).toBe('RESERVED');
          else expect(status, `reservation of cancelled order ${order.id}`).not.toBe('RESERVED');
        }
        for (const p of products) {
          const recorded = ledgers
            .filter((r) => (r.holding ?? []).includes(p.productId as string))
            .reduce((sum, r) => sum + (r.lines.find((l) => l.productId === p.productId)?.quantity ?? 0), 0);
          // A hold marker not recorded by its reservation (in flight, or a stray not reversed yet) is reserved too.
          const counted = new Set(ledgers.flatMap((r) => (r.held ?? []).map((h) => `${r._id}/${h.productId}/${h.attemptId}`)));
          const inFlight = ((p.pending ?? []) as Array<{ orderId: string; attemptId: string; quantity: number; step: string }>)
            .filter((m) => m.step === 'hold' && !counted.has(`${m.orderId}/${p.productId}/${m.attemptId}`))
            .reduce((sum, m) => sum + m.quantity, 0);
          expect(recorded + inFlight, `holds of ${p.productId}`).toBe(p.reserved);
        }

        const confirmed = final.filter((o) => o.status === 'CONFIRMED');
        const confirmedUnits = confirmed
          .flatMap((o) => o.items)
          .reduce((sum: number, line: { quantity: number }) => sum + line.quantity, 0);
        const taken = products.reduce((sum, p) => sum + p.reserved + p.sold, 0);
        expect(confirmedUnits).toBe(taken);
        expect(confirmed.length).toBeGreaterThan(0);
        expect(final.some((o) => o.status === 'CANCELLED')).toBe(true); // demand exceeds stock by design
      } finally {
        await client.close();
      }
    },
  );
});

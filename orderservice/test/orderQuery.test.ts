import { describe, expect, it } from 'vitest';
import type { Order } from '../src/domain/Order.js';
import type { OrderChangeNotifier } from '../src/services/OrderChangeNotifier.js';
import type { OrderLifecycleService } from '../src/services/OrderLifecycleService.js';
import type { OrderQueryService } from '../src/services/OrderQueryService.js';
import { TOKENS } from '../src/tokens.js';
import { buildInventoryReserved, buildOrder } from './support/builders.js';
import { unitService } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import { InMemoryOrderRepository } from './support/InMemoryOrderRepository.js';

function arrange(orders: Order[] = [], env: Record<string, string> = {}) {
  const repository = new InMemoryOrderRepository();
  const { container } = unitService(createService, { env, register: (c) => c.registerInstance(TOKENS.OrderRepository, repository) });
  repository.seed(...orders);
  return {
    queries: container.resolve<OrderQueryService>(TOKENS.OrderQueryService),
    lifecycle: container.resolve<OrderLifecycleService>(TOKENS.OrderLifecycleService),
    notifier: container.resolve<OrderChangeNotifier>(TOKENS.OrderChangeNotifier),
    repository,
  };
}

const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
};

describe('reading orders', () => {
  it('when the order does not exist, fails with ORDER.NOT_FOUND', async () => {
    const { queries } = arrange();

    await expect(queries.get('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'ORDER.NOT_FOUND', kind: 'not-found' });
  });

  describe('waiting for a status', () => {
    it('returns at once when the order is already in a wanted status', async () => {
      const order = buildOrder({ status: 'CONFIRMED' });
      const { queries, notifier } = arrange([order]);

      const result = await queries.waitFor(order.id, { statuses: ['CONFIRMED', 'CANCELLED'], timeoutMs: 30_000 });

      expect(result.status).toBe('CONFIRMED');
      expect(notifier.waiting).toBe(0);
    });

    it('returns the confirmed order as soon as the confirmation is written, long before the timeout', async () => {
      const order = buildOrder();
      const { queries, lifecycle, notifier } = arrange([order], { ORDER_WAIT_POLL_INTERVAL_MS: '10000' });

      const waiting = queries.waitFor(order.id, { statuses: ['CONFIRMED', 'CANCELLED'], timeoutMs: 30_000 });
      await until(() => notifier.waiting === 1);
      await lifecycle.confirmReservation(buildInventoryReserved(order.id));

      expect((await waiting).status).toBe('CONFIRMED');
      expect(notifier.waiting).toBe(0);
    });

    it('answers with the state the confirming write carried, without reading the order again', async () => {
      const order = buildOrder();
      const { queries, lifecycle, notifier, repository } = arrange([order], { ORDER_WAIT_POLL_INTERVAL_MS: '10000' });
      const waiting = queries.waitFor(order.id, { statuses: ['CONFIRMED', 'CANCELLED'], timeoutMs: 30_000 });
      await until(() => notifier.waiting === 1);
      const read = repository.findById.bind(repository);
      let readsAfterWaiting = 0;
      repository.findById = async (id) => {
        readsAfterWaiting += 1;
        return read(id);
      };

      await lifecycle.confirmReservation(buildInventoryReserved(order.id));

      expect((await waiting).status).toBe('CONFIRMED');
      expect(readsAfterWaiting).toBe(1); // the confirmation's own read; the waiter read nothing
    });

    it('does not miss a change that lands while it is reading the order', async () => {
      const order = buildOrder();
      const { queries, lifecycle, repository } = arrange([order], { ORDER_WAIT_POLL_INTERVAL_MS: '10000' });
      // The first read returns the PENDING order, and the confirmation is committed before the waiter sleeps.
      const read = repository.findById.bind(repository);
      let first = true;
      repository.findById = async (id) => {
        const result = await read(id);
        if (first) {
          first = false;
          await lifecycle.confirmReservation(buildInventoryReserved(order.id));
        }
        return result;
      };

      const result = await queries.waitFor(order.id, { statuses: ['CONFIRMED'], timeoutMs: 30_000 });

      expect(result.status).toBe('CONFIRMED');
    });

    it('sees a change made by another instance through the periodic re-read', async () => {
      const order = buildOrder();
      const { queries, repository } = arrange([order], { ORDER_WAIT_POLL_INTERVAL_MS: '50' });

      const waiting = queries.waitFor(order.id, { statuses: ['CANCELLED'], timeoutMs: 30_000 });
      repository.orders.get(order.id)!.status = 'CANCELLED'; // written elsewhere: no in-process notification

      expect((await waiting).status).toBe('CANCELLED');
    });

    it('returns the current state when the time is up', async () => {
      const order = buildOrder();
      const { queries } = arrange([order]);

      const result = await queries.waitFor(order.id, { statuses: ['CONFIRMED'], timeoutMs: 20 });

      expect(result.status).toBe('PENDING');
    });

    it('on shutdown, every waiter answers with the current state at once', async () => {
      const order = buildOrder();
      const { queries, notifier } = arrange([order], { ORDER_WAIT_POLL_INTERVAL_MS: '10000' });
      const waiting = queries.waitFor(order.id, { statuses: ['CONFIRMED'], timeoutMs: 30_000 });
      await until(() => notifier.waiting === 1);

      notifier.close();

      expect((await waiting).status).toBe('PENDING');
    });

    it('stops waiting when the client goes away', async () => {
      const order = buildOrder();
      const { queries, notifier } = arrange([order], { ORDER_WAIT_POLL_INTERVAL_MS: '10000' });
      const client = new AbortController();
      const waiting = queries.waitFor(order.id, { statuses: ['CONFIRMED'], timeoutMs: 30_000, signal: client.signal });
      await until(() => notifier.waiting === 1);

      client.abort();

      expect((await waiting).status).toBe('PENDING');
      expect(notifier.waiting).toBe(0);
    });
  });

  describe("a customer's orders", () => {
    it('pages newest first without gaps or repeats, even when orders share a timestamp', async () => {
      const sameMoment = new Date('2026-01-01T00:00:00Z');
      const orders = [
        ...Array.from({ length: 3 }, () => buildOrder({ createdAt: sameMoment })),
        ...Array.from({ length: 4 }, (_, i) => buildOrder({ createdAt: new Date(sameMoment.getTime() + (i + 1) * 1000) })),
        buildOrder({ customerId: 'someone-else' }),
      ];
      const { queries } = arrange(orders);

      const seen: Order[] = [];
      let page = await queries.listByCustomer('customer-1', 3);
      seen.push(...page.orders);
      while (page.next) {
        page = await queries.listByCustomer('customer-1', 3, page.next);
        seen.push(...page.orders);
      }

      expect(seen).toHaveLength(7);
      expect(new Set(seen.map((o) => o.id)).size).toBe(7);
      const times = seen.map((o) => o.createdAt.getTime());
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });
  });
});

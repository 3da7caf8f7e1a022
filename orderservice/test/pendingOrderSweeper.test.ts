import { describe, expect, it } from 'vitest';
import type { PendingOrderSweeper } from '../src/services/PendingOrderSweeper.js';
import { TOKENS } from '../src/tokens.js';
import { buildOrder } from './support/builders.js';
import { unitService } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import { InMemoryOrderRepository } from './support/InMemoryOrderRepository.js';

const minutesAgo = (minutes: number): Date => new Date(Date.now() - minutes * 60_000);

describe('timeout sweeper', () => {
  it('cancels only orders PENDING longer than the timeout, with reason TIMEOUT and their own correlation id', async () => {
    const stale = buildOrder({ createdAt: minutesAgo(6) });
    const fresh = buildOrder({ createdAt: minutesAgo(1) });
    const staleButConfirmed = buildOrder({ createdAt: minutesAgo(10), status: 'CONFIRMED' });
    const repository = new InMemoryOrderRepository();
    const env = { ORDER_PENDING_TIMEOUT_MS: String(5 * 60_000) };
    const { container } = unitService(createService, { env, register: (c) => c.registerInstance(TOKENS.OrderRepository, repository) });
    repository.seed(stale, fresh, staleButConfirmed);
    const sweeper = container.resolve<PendingOrderSweeper>(TOKENS.PendingOrderSweeper);

    const cancelled = await sweeper.sweep();

    expect(cancelled).toBe(1);
    expect(repository.orders.get(stale.id)!.cancellation?.reason).toBe('TIMEOUT');
    expect(repository.orders.get(fresh.id)!.status).toBe('PENDING');
    expect(repository.orders.get(staleButConfirmed.id)!.status).toBe('CONFIRMED');
    expect(repository.written).toEqual([
      expect.objectContaining({
        eventType: 'OrderCancelled',
        correlationId: stale.correlationId,
        data: expect.objectContaining({ orderId: stale.id, reason: 'TIMEOUT', previousStatus: 'PENDING' }),
      }),
    ]);
  });

  it('a second sweep (or a second instance) cancels nothing more', async () => {
    const stale = buildOrder({ createdAt: minutesAgo(6) });
    const repository = new InMemoryOrderRepository();
    const { container } = unitService(createService, { register: (c) => c.registerInstance(TOKENS.OrderRepository, repository) });
    repository.seed(stale);
    const sweeper = container.resolve<PendingOrderSweeper>(TOKENS.PendingOrderSweeper);

    await sweeper.sweep();
    const second = await sweeper.sweep();

    expect(second).toBe(0);
    expect(repository.written).toHaveLength(1);
  });
});

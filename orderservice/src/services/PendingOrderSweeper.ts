import { randomUUID } from 'node:crypto';
import { runWithContext } from '@orderplatform/shared/context';
import { PeriodicTask } from '@orderplatform/shared/lifecycle';
import type { Logger } from '@orderplatform/shared/logging';
import { inject, injectable } from 'tsyringe';
import type { Config } from '../config.js';
import { TOKENS } from '../tokens.js';
import type { OrderLifecycleService } from './OrderLifecycleService.js';
import type { OrderRepository } from './ports/OrderRepository.js';

const BATCH = 100;

/**
 * Cancels orders stuck PENDING longer than ORDER_PENDING_TIMEOUT_MS with reason TIMEOUT (SPEC §5).
 * Each cancellation is the same conditional write as any other transition, so several instances
 * sweeping at once, or a reservation arriving meanwhile, cannot cancel an order twice or undo a
 * confirmation. A late reservation is released by inventory when it sees the OrderCancelled.
 */
@injectable()
export class PendingOrderSweeper {
  private readonly log: Logger;
  private readonly task: PeriodicTask;

  constructor(
    @inject(TOKENS.OrderRepository) private readonly orders: OrderRepository,
    @inject(TOKENS.OrderLifecycleService) private readonly lifecycle: OrderLifecycleService,
    @inject(TOKENS.Config) private readonly config: Config,
    @inject(TOKENS.Logger) logger: Logger,
  ) {
    this.log = logger.child({ component: 'timeout-sweeper' });
    this.task = new PeriodicTask({
      intervalMs: config.ORDER_TIMEOUT_SWEEP_INTERVAL_MS,
      run: async () => {
        const cancelled = await this.sweep();
        if (cancelled > 0) this.log.info({ cancelled }, 'Cancelled orders stuck in PENDING');
      },
      log: this.log,
      failureMessage: 'Timeout sweep failed; will retry',
    });
  }

  start(): void {
    this.task.start();
  }

  /** No new sweep starts; the one in progress finishes its current order. */
  async stop(): Promise<void> {
    await this.task.stop();
  }

  /** One pass: cancels every order PENDING since before `now` − timeout. Returns how many it cancelled. */
  async sweep(now: Date = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.ORDER_PENDING_TIMEOUT_MS);
    let cancelled = 0;
    for (;;) {
      const stale = await this.orders.findPendingCreatedBefore(cutoff, BATCH);
      for (const order of stale) {
        if (this.task.stopping) return cancelled;
        // The OrderCancelled carries the order's own correlation id, so its saga reads as one story.
        const done = await runWithContext({ correlationId: order.correlationId || randomUUID() }, () =>
          this.lifecycle.cancelTimedOut(order.id),
        );
        if (done) cancelled += 1;
      }
      if (stale.length < BATCH) return cancelled;
    }
  }
}

import { PeriodicTask } from '@orderplatform/shared/lifecycle';
import type { Logger } from '@orderplatform/shared/logging';
import { inject, injectable } from 'tsyringe';
import type { Config } from '../config.js';
import { TOKENS } from '../tokens.js';
import type { ProductRepository } from './ports/ProductRepository.js';
import type { ReservationRepository } from './ports/ReservationRepository.js';
import type { ReservationService } from './ReservationService.js';

/**
 * Gives back stray holds nobody else will: a stale reserve run (its partition moved in a rebalance)
 * that held a line after the reservation was decided and died before its own settle step. Every
 * HOLD_RECONCILE_INTERVAL_MS it settles each ended reservation (not RESERVING, not RESERVED) whose
 * order still holds stock — the same idempotent conditional writes as the handlers' settle, so
 * several instances sweeping at once, or a handler settling meanwhile, release each hold once.
 */
@injectable()
export class HoldReconciler {
  private readonly log: Logger;
  private readonly task: PeriodicTask;

  constructor(
    @inject(TOKENS.ProductRepository) private readonly products: ProductRepository,
    @inject(TOKENS.ReservationRepository) private readonly reservations: ReservationRepository,
    @inject(TOKENS.ReservationService) private readonly service: ReservationService,
    @inject(TOKENS.Config) config: Pick<Config, 'HOLD_RECONCILE_INTERVAL_MS'>,
    @inject(TOKENS.Logger) logger: Logger,
  ) {
    this.log = logger.child({ component: 'hold-reconciler' });
    this.task = new PeriodicTask({
      intervalMs: config.HOLD_RECONCILE_INTERVAL_MS,
      run: async () => void (await this.sweep()),
      log: this.log,
      failureMessage: 'Hold reconciliation failed; will retry',
    });
  }

  start(): void {
    this.task.start();
  }

  async stop(): Promise<void> {
    await this.task.stop();
  }

  /** One pass. Returns how many ended reservations it settled (most have nothing left to give back). */
  async sweep(): Promise<number> {
    // RESERVED holds are exactly the decision's (see ReservationService); RESERVING ones are in progress.
    const ended = await this.reservations.findByOrderIdsExcept(await this.products.ordersHolding(), ['RESERVING', 'RESERVED']);
    for (const reservation of ended) {
      if (this.task.stopping) break;
      await this.service.settle(reservation);
      this.log.warn({ orderId: reservation.orderId, status: reservation.status }, 'Gave back stock still held for an ended reservation');
    }
    return ended.length;
  }
}

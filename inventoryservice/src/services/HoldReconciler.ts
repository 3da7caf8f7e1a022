import type { Logger } from '@orderplatform/shared';
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
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopping = false;

  constructor(
    @inject(TOKENS.ProductRepository) private readonly products: ProductRepository,
    @inject(TOKENS.ReservationRepository) private readonly reservations: ReservationRepository,
    @inject(TOKENS.ReservationService) private readonly service: ReservationService,
    @inject(TOKENS.Config) private readonly config: Pick<Config, 'HOLD_RECONCILE_INTERVAL_MS'>,
    @inject(TOKENS.Logger) logger: Logger,
  ) {
    this.log = logger.child({ component: 'hold-reconciler' });
  }

  start(): void {
    this.stopping = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass. Returns how many ended reservations it settled (most have nothing left to give back). */
  async sweep(): Promise<number> {
    // RESERVED holds are exactly the decision's (see ReservationService); RESERVING ones are in progress.
    const ended = await this.reservations.findByOrderIdsExcept(await this.products.ordersHolding(), ['RESERVING', 'RESERVED']);
    for (const reservation of ended) {
      if (this.stopping) break;
      await this.service.settle(reservation);
      this.log.warn({ orderId: reservation.orderId, status: reservation.status }, 'Gave back stock still held for an ended reservation');
    }
    return ended.length;
  }

  private schedule(): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .catch((err: unknown) => this.log.warn({ err }, 'Hold reconciliation failed; will retry'))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.config.HOLD_RECONCILE_INTERVAL_MS);
    this.timer.unref();
  }
}

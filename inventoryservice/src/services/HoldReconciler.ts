import { PeriodicTask } from '@orderplatform/shared/lifecycle';
import type { Logger } from '@orderplatform/shared/logging';
import { inject, injectable } from 'tsyringe';
import type { Config } from '../config.js';
import type { ReservationStatus } from '../domain/Reservation.js';
import { TOKENS } from '../tokens.js';
import type { ProductRepository } from './ports/ProductRepository.js';
import type { ReservationRepository } from './ports/ReservationRepository.js';
import type { ReservationService } from './ReservationService.js';

/** Statuses in which an order holds nothing any more: a line still `holding` there waits to be given back. */
const ENDED: readonly ReservationStatus[] = ['FAILED', 'RELEASED', 'CANCELLED_BEFORE_RESERVE', 'SOLD'];

/**
 * Finishes what no handler will (a run that died between two writes and whose event is not coming
 * back, or a stale run's stray hold after the order was decided). Every HOLD_RECONCILE_INTERVAL_MS it
 * settles (ReservationService.settle: the same idempotent conditional writes as the handlers, so
 * several instances sweeping at once, or a handler settling meanwhile, apply each step once):
 * (a) ended reservations still `holding` a line — given back;
 * (b) orders with a marker on a product older than HOLD_MARKER_GRACE_MS (in-flight steps a live
 *     handler finishes within a session timeout): a recorded hold marker is pulled, a stray one
 *     reversed, a give-back marker recorded then pulled; a RESERVING reservation is left alone (its
 *     redelivered OrderPlaced adopts the marker).
 * Both queries read only the documents that need it (indexed on MongoDB).
 */
@injectable()
export class HoldReconciler {
  private readonly log: Logger;
  private readonly task: PeriodicTask;
  private readonly graceMs: number;

  constructor(
    @inject(TOKENS.ProductRepository) private readonly products: ProductRepository,
    @inject(TOKENS.ReservationRepository) private readonly reservations: ReservationRepository,
    @inject(TOKENS.ReservationService) private readonly service: ReservationService,
    @inject(TOKENS.Config) config: Pick<Config, 'HOLD_RECONCILE_INTERVAL_MS' | 'HOLD_MARKER_GRACE_MS'>,
    @inject(TOKENS.Logger) logger: Logger,
  ) {
    this.log = logger.child({ component: 'hold-reconciler' });
    this.graceMs = config.HOLD_MARKER_GRACE_MS;
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

  /** One pass. Returns how many reservations it settled (most have nothing left to do by then). */
  async sweep(): Promise<number> {
    const ended = await this.reservations.findHolding(ENDED);
    const marked = await this.products.ordersWithMarkersBefore(new Date(Date.now() - this.graceMs));
    const known = new Set(ended.map((r) => r.orderId));
    const withMarkers = await this.reservations.findByOrderIds(marked.filter((id) => !known.has(id)));
    let settled = 0;
    for (const reservation of [...ended, ...withMarkers]) {
      if (this.task.stopping) break;
      if (reservation.status === 'RESERVING') continue;
      await this.service.settle(reservation);
      settled += 1;
      this.log.warn({ orderId: reservation.orderId, status: reservation.status }, 'Finished a reservation step left in flight');
    }
    return settled;
  }
}

import { sendSuccess } from '@orderplatform/shared/http';
import type { Request, Response } from 'express';
import { inject, injectable } from 'tsyringe';
import type { OrderLifecycleService } from '../services/OrderLifecycleService.js';
import type { OrderPlacementService } from '../services/OrderPlacementService.js';
import type { OrderQueryService } from '../services/OrderQueryService.js';
import type { Config } from '../config.js';
import { TOKENS } from '../tokens.js';
import { toOrderPageView, toOrderView, toTimelineView } from './orderView.js';
import {
  cancelBody,
  createOrderBody,
  customerParams,
  getOrderQuery,
  idempotencyHeaders,
  listOrdersQuery,
  orderIdParams,
  statusBody,
} from './requestSchemas.js';

/** HTTP in and out: parse with zod (errors become 400 in the shared error middleware), call a service, shape the answer. */
@injectable()
export class OrderController {
  private readonly maxWaitMs: number;
  private readonly getQuery: ReturnType<typeof getOrderQuery>;

  constructor(
    @inject(TOKENS.OrderPlacementService) private readonly placement: OrderPlacementService,
    @inject(TOKENS.OrderQueryService) private readonly queries: OrderQueryService,
    @inject(TOKENS.OrderLifecycleService) private readonly lifecycle: OrderLifecycleService,
    @inject(TOKENS.Config) config: Pick<Config, 'ORDER_MAX_WAIT_MS'>,
  ) {
    this.maxWaitMs = config.ORDER_MAX_WAIT_MS;
    this.getQuery = getOrderQuery(this.maxWaitMs);
  }

  place = async (req: Request, res: Response): Promise<void> => {
    const { 'idempotency-key': idempotencyKey } = idempotencyHeaders.parse(req.headers);
    const command = createOrderBody.parse(req.body);
    const { order, replayed } = await this.placement.place(command, idempotencyKey);
    res.location(`/api/orders/${order.id}`);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    sendSuccess(
      res,
      replayed ? 200 : 201,
      toOrderView(order),
      replayed ? 'Order already placed with this Idempotency-Key' : 'Order placed',
    );
  };

  get = async (req: Request, res: Response): Promise<void> => {
    const { id } = orderIdParams.parse(req.params);
    const { waitFor, timeoutMs } = this.getQuery.parse(req.query);
    if (!waitFor) return sendSuccess(res, 200, toOrderView(await this.queries.get(id)));

    // A client that hangs up stops the wait.
    const client = new AbortController();
    const hangUp = (): void => client.abort();
    res.once('close', hangUp);
    try {
      const order = await this.queries.waitFor(id, { statuses: waitFor, timeoutMs: timeoutMs ?? this.maxWaitMs, signal: client.signal });
      sendSuccess(res, 200, toOrderView(order));
    } finally {
      res.off('close', hangUp);
    }
  };

  listByCustomer = async (req: Request, res: Response): Promise<void> => {
    const { customerId } = customerParams.parse(req.params);
    const { limit, cursor } = listOrdersQuery.parse(req.query);
    const page = await this.queries.listByCustomer(customerId, limit, cursor);
    sendSuccess(res, 200, toOrderPageView(page));
  };

  setStatus = async (req: Request, res: Response): Promise<void> => {
    const { id } = orderIdParams.parse(req.params);
    const { status } = statusBody.parse(req.body);
    sendSuccess(res, 200, toOrderView(await this.lifecycle.setStatus(id, status)), `Order ${status}`);
  };

  cancel = async (req: Request, res: Response): Promise<void> => {
    const { id } = orderIdParams.parse(req.params);
    const { reason } = cancelBody.parse(req.body ?? {});
    sendSuccess(res, 200, toOrderView(await this.lifecycle.cancelByCustomer(id, reason)), 'Order cancelled');
  };

  timeline = async (req: Request, res: Response): Promise<void> => {
    const { id } = orderIdParams.parse(req.params);
    sendSuccess(res, 200, (await this.queries.timeline(id)).map(toTimelineView));
  };
}

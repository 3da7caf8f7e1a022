import { sendSuccess } from '@orderplatform/shared/http';
import type { Request, Response } from 'express';
import { inject, injectable } from 'tsyringe';
import type { InventoryService } from '../services/InventoryService.js';
import type { ReservationService } from '../services/ReservationService.js';
import { TOKENS } from '../tokens.js';
import { productParams, reservationParams, setStockBody } from './requestSchemas.js';
import { productView, reservationView } from './views.js';

/** Parses requests with zod, calls the services, shapes responses; errors go to the error middleware. */
@injectable()
export class InventoryController {
  constructor(
    @inject(TOKENS.InventoryService) private readonly inventory: InventoryService,
    @inject(TOKENS.ReservationService) private readonly reservations: ReservationService,
  ) {}

  list = async (_req: Request, res: Response): Promise<void> => {
    sendSuccess(res, 200, (await this.inventory.list()).map(productView));
  };

  get = async (req: Request, res: Response): Promise<void> => {
    const { productId } = productParams.parse(req.params);
    sendSuccess(res, 200, productView(await this.inventory.get(productId)));
  };

  setStock = async (req: Request, res: Response): Promise<void> => {
    const { productId } = productParams.parse(req.params);
    const body = setStockBody.parse(req.body);
    const { product, created } = await this.inventory.setStock(productId, body);
    if (created) res.location(`/api/inventory/${encodeURIComponent(productId)}`);
    sendSuccess(res, created ? 201 : 200, productView(product), created ? 'Product created' : 'Stock updated');
  };

  getReservation = async (req: Request, res: Response): Promise<void> => {
    const { orderId } = reservationParams.parse(req.params);
    sendSuccess(res, 200, reservationView(await this.reservations.get(orderId)));
  };
}

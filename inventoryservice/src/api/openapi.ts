import {
  ADMIN_SECURITY,
  buildOpenApiDocument,
  createApiRegistry,
  errorResponses,
  jsonResponse,
  successBodySchema,
} from '@orderplatform/shared/docs';
import { z } from 'zod';
import { productParams, reservationParams, setStockBody } from './requestSchemas.js';
import { productViewSchema, reservationViewSchema } from './responseSchemas.js';

/** The OpenAPI document of inventoryservice, generated from the zod schemas the controller uses. */
export function inventoryOpenApi(port = 3003): Record<string, unknown> {
  const registry = createApiRegistry();
  registry.registerPath({
    method: 'get',
    path: '/api/inventory',
    tags: ['inventory'],
    summary: 'Every product with its stock',
    responses: { 200: jsonResponse('Products', successBodySchema(z.array(productViewSchema))), ...errorResponses() },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/inventory/{productId}',
    tags: ['inventory'],
    summary: 'One product with its stock',
    request: { params: productParams },
    responses: { 200: jsonResponse('Product', successBodySchema(productViewSchema)), ...errorResponses(404) },
  });
  registry.registerPath({
    method: 'put',
    path: '/api/inventory/{productId}',
    tags: ['inventory'],
    summary: 'Create a product, or set its available units (admin)',
    description:
      'For an existing product the difference to the current `available` is booked as restocked, keeping initial + restocked = available + reserved + sold.',
    security: [{ [ADMIN_SECURITY]: [] }],
    request: { params: productParams, body: { required: true, content: { 'application/json': { schema: setStockBody } } } },
    responses: {
      200: jsonResponse('Stock updated', successBodySchema(productViewSchema)),
      201: jsonResponse('Product created', successBodySchema(productViewSchema)),
      ...errorResponses(401, 403, 409, 413, 415),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/inventory/reservations/{orderId}',
    tags: ['inventory'],
    summary: "An order's reservation",
    request: { params: reservationParams },
    responses: { 200: jsonResponse('Reservation', successBodySchema(reservationViewSchema)), ...errorResponses(404) },
  });
  return buildOpenApiDocument(registry, {
    title: 'inventoryservice',
    description: 'Stock levels and reservations of the order platform (SPEC §3).',
    port,
  });
}

import {
  ADMIN_SECURITY,
  buildOpenApiDocument,
  createApiRegistry,
  CUSTOMER_CALLER_NOTE,
  CUSTOMER_CALLER_SECURITY,
  customerCallerErrors,
  errorResponses,
  jsonResponse,
  successBodySchema,
} from '@orderplatform/shared/docs';
import { z } from 'zod';
import {
  cancelBody,
  createOrderBody,
  customerParams,
  getOrderQuery,
  idempotencyHeaders,
  listOrdersQuery,
  MAX_WAIT_MS,
  orderIdParams,
  statusBody,
} from './requestSchemas.js';
import { orderPageSchema, orderViewSchema, timelineEntryViewSchema } from './responseSchemas.js';

// Header names are case-insensitive: express hands them over in lower case, the document spells it as SPEC §3 does.
const idempotencyKeyHeader = idempotencyHeaders.shape['idempotency-key'].meta({ param: { name: 'Idempotency-Key', in: 'header' } });

const jsonBody = (schema: z.ZodType, required = true) => ({ required, content: { 'application/json': { schema } } });

const orderBody = successBodySchema(orderViewSchema);

/** What can be done next with the order a POST returned: its id (and customer) feed these operations. */
const orderId = { id: '$response.body#/data/id' };
const placedOrderLinks = {
  GetOrder: { operationId: 'getOrder', parameters: orderId, description: 'Read the order (optionally long-polling with `waitFor`).' },
  CancelOrder: { operationId: 'cancelOrder', parameters: orderId, description: 'Cancel the order.' },
  GetOrderTimeline: { operationId: 'getOrderTimeline', parameters: orderId, description: "The order's status history." },
  SetOrderStatus: { operationId: 'setOrderStatus', parameters: orderId, description: 'Move the order on (admin).' },
  ListCustomerOrders: {
    operationId: 'listCustomerOrders',
    parameters: { customerId: '$response.body#/data/customerId' },
    description: "The customer's orders.",
  },
};

const placed = (description: string, replay: boolean) => ({
  ...jsonResponse(description, orderBody),
  headers: {
    Location: { description: "The order's URL", schema: { type: 'string' as const } },
    ...(replay
      ? {
          'Idempotent-Replayed': {
            description: 'Always `true`: an earlier request with this key placed the order',
            schema: { type: 'string' as const },
          },
        }
      : {}),
  },
  links: placedOrderLinks,
});

/** The OpenAPI document of orderservice, generated from the zod schemas the controller uses (maxWaitMs: ORDER_MAX_WAIT_MS). */
export function orderOpenApi(port = 3001, maxWaitMs = MAX_WAIT_MS): Record<string, unknown> {
  const registry = createApiRegistry({ customerTokens: true });
  registry.registerPath({
    method: 'post',
    path: '/api/orders',
    operationId: 'placeOrder',
    tags: ['orders'],
    summary: 'Place an order',
    description:
      'The server computes `totalAmount` in integer cents. The order starts PENDING; inventory confirms or cancels it (SPEC §2).',
    request: { headers: [idempotencyKeyHeader], body: jsonBody(createOrderBody) },
    responses: {
      201: placed('Order placed', false),
      200: placed('Replay: this Idempotency-Key already placed an order with this body', true),
      ...errorResponses(409, 413, 415),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/orders/{id}',
    operationId: 'getOrder',
    tags: ['orders'],
    summary: 'One order, optionally long-polling for a status',
    description:
      'With `waitFor` the answer comes once the order is in one of the statuses or `timeoutMs` has passed; either way it is the current order.',
    request: { params: orderIdParams, query: getOrderQuery(maxWaitMs) },
    responses: { 200: jsonResponse('Order', orderBody), ...errorResponses(404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/orders/customer/{customerId}',
    operationId: 'listCustomerOrders',
    tags: ['orders'],
    summary: "A customer's orders, newest first",
    description: CUSTOMER_CALLER_NOTE,
    security: CUSTOMER_CALLER_SECURITY,
    request: { params: customerParams, query: listOrdersQuery },
    responses: {
      200: jsonResponse('One page of orders', successBodySchema(orderPageSchema)),
      ...errorResponses(),
      ...customerCallerErrors(),
    },
  });
  registry.registerPath({
    method: 'put',
    path: '/api/orders/{id}/status',
    operationId: 'setOrderStatus',
    tags: ['orders'],
    summary: 'Move an order to a status the state machine allows (admin)',
    description:
      'SHIPPED, DELIVERED or CANCELLED, as the state machine allows (SPEC §2). CONFIRMED is always refused with 409 `ORDER.CONFIRM_BY_SAGA_ONLY`: ' +
      'only the inventory reservation (InventoryReserved) confirms an order. Other refused moves are 409 `ORDER.INVALID_TRANSITION`.',
    security: [{ [ADMIN_SECURITY]: [] }],
    request: { params: orderIdParams, body: jsonBody(statusBody) },
    responses: {
      200: jsonResponse('Status changed', orderBody),
      ...errorResponses(401, 403, 404, 409, 413, 415),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/orders/{id}/cancel',
    operationId: 'cancelOrder',
    tags: ['orders'],
    summary: 'Cancel an order',
    request: { params: orderIdParams, body: jsonBody(cancelBody, false) },
    responses: { 200: jsonResponse('Order cancelled', orderBody), ...errorResponses(404, 409, 413, 415) },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/orders/{id}/timeline',
    operationId: 'getOrderTimeline',
    tags: ['orders'],
    summary: "The order's status history with the events that caused it",
    request: { params: orderIdParams },
    responses: { 200: jsonResponse('Timeline, oldest first', successBodySchema(z.array(timelineEntryViewSchema))), ...errorResponses(404) },
  });
  return buildOpenApiDocument(registry, {
    title: 'orderservice',
    description: 'Orders of the order platform: placing, reading, long-polling and changing them (SPEC §3).',
    port,
  });
}

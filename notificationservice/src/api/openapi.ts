import {
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
import { customerParams, notificationsQuery, preferencesBody } from './requestSchemas.js';
import { notificationViewSchema, preferencesViewSchema } from './responseSchemas.js';

/** The OpenAPI document of notificationservice, generated from the zod schemas the controller uses. */
export function notificationOpenApi(port = 3002): Record<string, unknown> {
  const registry = createApiRegistry({ customerTokens: true });
  const preferences = successBodySchema(preferencesViewSchema);
  registry.registerPath({
    method: 'get',
    path: '/api/notifications',
    tags: ['notifications'],
    summary: 'What was sent, newest first',
    description:
      'Filter by `orderId`, `customerId` or both; without a filter, the newest notifications of all customers. By `orderId` alone the ' +
      'query stays open, like GET /api/orders/{id}: order ids are UUIDs nobody can guess. With `customerId` it is customer-scoped: it ' +
      'needs a bearer token the shop issued for this customer or `X-Api-Key` (in production anonymous callers get 401; elsewhere they ' +
      'are let through, but a presented token or key is still checked).',
    security: [...CUSTOMER_CALLER_SECURITY, {}],
    request: { query: notificationsQuery },
    responses: {
      200: jsonResponse('Notifications', successBodySchema(z.array(notificationViewSchema))),
      ...errorResponses(),
      ...customerCallerErrors(),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/notifications/preferences/{customerId}',
    tags: ['preferences'],
    summary: "A customer's contact preferences",
    description: CUSTOMER_CALLER_NOTE,
    security: CUSTOMER_CALLER_SECURITY,
    request: { params: customerParams },
    responses: { 200: jsonResponse('Preferences', preferences), ...errorResponses(404), ...customerCallerErrors() },
  });
  registry.registerPath({
    method: 'put',
    path: '/api/notifications/preferences/{customerId}',
    tags: ['preferences'],
    summary: "Create or replace a customer's contact preferences",
    description: `Addresses given here win over those carried in the order events. ${CUSTOMER_CALLER_NOTE}`,
    security: CUSTOMER_CALLER_SECURITY,
    request: { params: customerParams, body: { required: true, content: { 'application/json': { schema: preferencesBody } } } },
    responses: {
      200: jsonResponse('Preferences replaced', preferences),
      201: {
        ...jsonResponse('Preferences created', preferences),
        headers: { Location: { description: 'The preferences URL', schema: { type: 'string' } } },
      },
      ...errorResponses(413, 415),
      ...customerCallerErrors(),
    },
  });
  return buildOpenApiDocument(registry, {
    title: 'notificationservice',
    description: 'Notifications sent to customers and their contact preferences (SPEC §3).',
    port,
  });
}

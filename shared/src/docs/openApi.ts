import { OpenAPIRegistry, OpenApiGeneratorV3, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';
import { errorBodySchema } from '../http/errorBody.js';
import type { KnownRoute } from '../http/methodNotAllowed.js';

export { OpenAPIRegistry };

export const ADMIN_SECURITY = 'AdminApiKey';
export const CUSTOMER_SECURITY = 'CustomerBearer';

/** The SPEC §3 success body around `data`. */
export const successBodySchema = <T extends z.ZodType>(data: T) =>
  z.object({ success: z.literal(true), data, message: z.string().optional() });

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request (validation, malformed JSON, forbidden keys)',
  401: 'Missing X-Api-Key',
  403: 'Wrong X-Api-Key',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body larger than the limit',
  415: 'Not application/json',
  429: 'Rate limited',
  503: 'A dependency is unavailable',
};

type Responses = NonNullable<RouteConfig['responses']>;

export function jsonResponse(description: string, schema: z.ZodType): Responses[string] {
  return { description, content: { 'application/json': { schema } } };
}

/** Error responses every route shares, plus the ones named. */
export function errorResponses(...statuses: number[]): Responses {
  const all = [...new Set([400, 429, ...statuses])].sort();
  return Object.fromEntries(all.map((s) => [String(s), jsonResponse(ERROR_TEXT[s] ?? 'Error', errorBodySchema)]));
}

/** Who may call a customer-scoped route: that customer's bearer token, or the admin key. */
export const CUSTOMER_CALLER_SECURITY: Array<Record<string, string[]>> = [{ [CUSTOMER_SECURITY]: [] }, { [ADMIN_SECURITY]: [] }];

export const CUSTOMER_CALLER_NOTE =
  'Customer-scoped: needs a bearer token the shop issued for this customer (subject = customerId) or `X-Api-Key`: in production anonymous callers get 401; ' +
  'elsewhere they are let through, but a presented token or key is still checked.';

/** 401 and 403 as a customer-scoped route answers them. */
export function customerCallerErrors(): Responses {
  return {
    401: jsonResponse('No token or key (production), or a malformed, tampered or expired bearer token', errorBodySchema),
    403: jsonResponse('A token for another customer, or a wrong X-Api-Key', errorBodySchema),
  };
}

export interface ApiRegistryOptions {
  /** The service has customer-scoped routes: declare the bearer token scheme. */
  customerTokens?: boolean;
}

/** A registry with what every service has: the admin key scheme, health and metrics routes. */
export function createApiRegistry({ customerTokens = false }: ApiRegistryOptions = {}): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', ADMIN_SECURITY, { type: 'apiKey', in: 'header', name: 'X-Api-Key' });
  if (customerTokens) {
    registry.registerComponent('securitySchemes', CUSTOMER_SECURITY, {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'HS256 JWT signed with AUTH_JWT_SECRET; `sub` is the customerId, `exp` is required (`npm run token -- <customerId>` mints one).',
    });
  }
  registry.registerPath({
    method: 'get',
    path: '/health/live',
    tags: ['operations'],
    summary: 'The process is up',
    responses: { 200: jsonResponse('Live', z.object({ status: z.literal('ok') })) },
  });
  const readiness = z.object({ status: z.enum(['ready', 'not_ready']), checks: z.record(z.string(), z.enum(['up', 'down'])) });
  registry.registerPath({
    method: 'get',
    path: '/health/ready',
    tags: ['operations'],
    summary: 'MongoDB and Kafka are reachable',
    responses: { 200: jsonResponse('Ready', readiness), 503: jsonResponse('Not ready', readiness) },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    tags: ['operations'],
    summary: 'Prometheus metrics',
    responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } } },
  });
  return registry;
}

export function buildOpenApiDocument(
  registry: OpenAPIRegistry,
  info: { title: string; description: string; port: number },
): Record<string, unknown> {
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: { title: info.title, version: '1.0.0', description: info.description },
    servers: [{ url: `http://127.0.0.1:${info.port}` }],
  }) as unknown as Record<string, unknown>;
}

const DOCUMENT_PATH = '/docs/openapi.json';
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** The paths a document declares with their methods, and the document's own path: what methodNotAllowed needs. */
export function openApiRoutes(document: Record<string, unknown>): KnownRoute[] {
  const paths = (document.paths ?? {}) as Record<string, Record<string, unknown>>;
  const declared = Object.entries(paths).map(([path, item]) => ({
    path,
    methods: Object.keys(item).filter((key) => HTTP_METHODS.has(key)),
  }));
  return [...declared, { path: DOCUMENT_PATH, methods: ['get'] }];
}

/** GET /docs (Swagger UI) and GET /docs/openapi.json. */
export function docsRouter(document: Record<string, unknown>): Router {
  const router = Router();
  router.get(DOCUMENT_PATH, (_req, res) => {
    res.json(document);
  });
  router.use(
    '/docs',
    swaggerUi.serve,
    swaggerUi.setup(document, { customSiteTitle: String((document.info as { title?: string })?.title ?? 'API') }),
  );
  return router;
}

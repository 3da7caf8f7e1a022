import { buildAsyncApiDocument } from '@orderplatform/shared/docs';
import { inventoryOpenApi } from '@orderplatform/inventoryservice/openapi';
import { notificationOpenApi } from '@orderplatform/notificationservice/openapi';
import { orderOpenApi } from '@orderplatform/orderservice/openapi';

/** Every generated API document and where its checked-in copy lives (relative to the repo root). */
export function apiDocuments(): Array<{ file: string; kind: 'openapi' | 'asyncapi'; document: Record<string, unknown> }> {
  return [
    { file: 'docs/api/orderservice.openapi.json', kind: 'openapi', document: orderOpenApi() },
    { file: 'docs/api/inventoryservice.openapi.json', kind: 'openapi', document: inventoryOpenApi() },
    { file: 'docs/api/notificationservice.openapi.json', kind: 'openapi', document: notificationOpenApi() },
    { file: 'docs/api/events.asyncapi.json', kind: 'asyncapi', document: buildAsyncApiDocument() },
  ];
}

export const serialize = (document: Record<string, unknown>): string => `${JSON.stringify(document, null, 2)}\n`;

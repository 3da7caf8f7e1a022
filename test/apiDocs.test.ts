import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser } from '@asyncapi/parser';
import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { apiDocuments, serialize } from '../tools/dev/apiDocuments.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('API documents', () => {
  it.each(apiDocuments().map((d) => [d.file, d] as const))(
    '%s matches the code (run npm run docs:generate after changing a schema)',
    (file, { document }) => {
      expect(readFileSync(path.join(root, file), 'utf8')).toBe(serialize(document));
    },
  );

  it.each(
    apiDocuments()
      .filter((d) => d.kind === 'openapi')
      .map((d) => [d.file, d] as const),
  )('%s is a valid OpenAPI document', async (_file, { document }) => {
    const result = await validate(structuredClone(document) as never);
    expect('errors' in result ? result.errors : []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  // The AsyncAPI parser takes seconds of CPU (spectral rulesets): on a busy 2-core machine well over the 5 s default.
  it('the AsyncAPI document of the events is valid and names every event type', { timeout: 60_000 }, async () => {
    const { document } = apiDocuments().find((d) => d.kind === 'asyncapi')!;
    const { diagnostics, document: parsed } = await new Parser().parse(JSON.stringify(document));

    expect(diagnostics.filter((d) => d.severity === 0).map((d) => d.message)).toEqual([]);
    expect(parsed).toBeDefined();
    expect(
      parsed!
        .messages()
        .all()
        .map((m) => m.name())
        .sort(),
    ).toEqual(
      expect.arrayContaining([
        'OrderPlacedV1',
        'OrderPlacedV2',
        'OrderConfirmedV1',
        'OrderCancelledV1',
        'InventoryReservedV1',
        'InventoryFailedV1',
      ]),
    );
  });
});

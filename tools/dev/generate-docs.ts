/** npm run docs:generate — writes the OpenAPI documents of the services and the AsyncAPI document of the events. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiDocuments, serialize } from './apiDocuments.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
for (const { file, document } of apiDocuments()) {
  writeFileSync(path.join(root, file), serialize(document));
  console.log(`wrote ${file}`);
}

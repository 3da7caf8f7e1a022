/**
 * Mints a customer bearer token (HS256, subject = customerId) with the services' settings:
 * AUTH_JWT_SECRET (the dev secret outside production when unset), AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE.
 *
 *   npm run -s token -- <customerId> [--expires 1h]      # prints the token, nothing else
 *
 * For trying the customer-scoped routes; a real shop signs its tokens itself with the same secret.
 */
import { parseArgs } from 'node:util';
import { CustomerTokens } from '../auth/CustomerTokens.js';
import { ENTITY_ID } from '../contracts/entityId.js';
import { nodeEnv } from '../config/baseConfigShape.js';
import { customerAuthConfigShape } from '../config/customerAuthConfigShape.js';
import { defineConfig } from '../config/defineServiceConfig.js';
import { loadConfigOrExit } from '../config/loadConfig.js';

const USAGE = 'usage: npm run -s token -- <customerId> [--expires 1h]';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { expires: { type: 'string', default: '1h' } } });
const customerId = positionals[0];
if (positionals.length !== 1 || customerId === undefined || !ENTITY_ID.test(customerId)) {
  process.stderr.write(`${USAGE}\n(customerId: 1-64 letters, digits, "_" or "-")\n`);
  process.exit(2);
}

const config = loadConfigOrExit(defineConfig({ NODE_ENV: nodeEnv(), ...customerAuthConfigShape() }));
try {
  process.stdout.write(`${await new CustomerTokens(config).sign(customerId, values.expires)}\n`);
} catch (error) {
  // jose refuses a time span it cannot read ("soon"); say so in one line.
  process.stderr.write(`--expires: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(2);
}

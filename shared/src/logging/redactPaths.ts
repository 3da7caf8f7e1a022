/**
 * Where personal data and secrets can appear in log objects (SPEC §6). pino's wildcards match
 * one level each, hence the repeated shapes.
 */
const SENSITIVE_KEYS = ['email', 'phone', 'recipient', 'apiKey', 'adminApiKey', 'password', 'token', 'authorization'];

const atAnyUsualDepth = (key: string): string[] => [key, `*.${key}`, `*.*.${key}`];

export const REDACT_PATHS: string[] = [
  ...SENSITIVE_KEYS.flatMap(atAnyUsualDepth),
  'ADMIN_API_KEY',
  '*.ADMIN_API_KEY',
  'AUTH_JWT_SECRET',
  '*.AUTH_JWT_SECRET',
  'customer.email',
  'customer.phone',
  'headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

export const REDACTED = '[REDACTED]';

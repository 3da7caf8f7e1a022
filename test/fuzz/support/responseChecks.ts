import { waitForHealth } from '../../../tools/lib/serviceProcess.js';
import type { RunningService } from '../../support/services.js';
import type { RawRequest, RawResponse } from './rawHttp.js';

const summary = (req: RawRequest, res: RawResponse): string =>
  `${req.method} ${req.path.length > 300 ? `${req.path.slice(0, 300)}…(${req.path.length} chars)` : req.path} → ${res.status} ${res.text.slice(0, 400)}`;

/** Internal texts that must never reach a client (SPEC §3: no stack traces, no internal error text). */
const LEAKS = [
  /\bat [\w.<>]+ \(/,
  /node_modules/,
  /\.ts:\d+/,
  /\/work\//,
  /MongoServerError|MongoError|KafkaJSError|TypeError|ReferenceError|SyntaxError: Unexpected/,
];

/**
 * The properties every response must have, whatever was sent: not a 5xx (a readiness probe may say
 * 503 with its own body when a dependency check is slow — that is not an error of the request), an
 * X-Correlation-Id header, and for every 4xx the SPEC §3 error body without internal details.
 */
export function assertSafeResponse(req: RawRequest, res: RawResponse): void {
  const readiness =
    req.path.startsWith('/health/ready') && res.status === 503 && (res.json as { status?: unknown } | undefined)?.status === 'not_ready';
  if (res.status >= 500 && !readiness) throw new Error(`5xx for hostile input: ${summary(req, res)}`);
  const correlationId = res.headers['x-correlation-id'];
  if (typeof correlationId !== 'string' || correlationId.length === 0) throw new Error(`no X-Correlation-Id: ${summary(req, res)}`);
  if (res.status < 400 || readiness || req.method === 'HEAD') return;

  const body = res.json as { success?: unknown; error?: { code?: unknown; message?: unknown } } | undefined;
  const wellFormed =
    body !== undefined &&
    body.success === false &&
    typeof body.error === 'object' &&
    body.error !== null &&
    typeof body.error.code === 'string' &&
    body.error.code.length > 0 &&
    typeof body.error.message === 'string';
  if (!wellFormed) throw new Error(`error without the SPEC §3 body: ${summary(req, res)}`);
  for (const leak of LEAKS) if (leak.test(res.text)) throw new Error(`error body leaks internals (${leak}): ${summary(req, res)}`);
}

/** A rejected request: a 4xx, and one of the statuses given when they are given. */
export function assertRejected(req: RawRequest, res: RawResponse, statuses?: readonly number[]): void {
  assertSafeResponse(req, res);
  const ok = statuses ? statuses.includes(res.status) : res.status >= 400 && res.status < 500;
  if (!ok) throw new Error(`expected ${statuses ? statuses.join('/') : '4xx'}, got ${summary(req, res)}`);
}

/** The process is still running (a fuzzed request must never take it down). */
export function assertAlive(...services: RunningService[]): void {
  for (const service of services) {
    if (!service.isRunning()) {
      throw new Error(`${service.name} exited (${service.child.exitCode ?? service.child.signalCode}):\n${service.whereToLook()}`);
    }
  }
}

/** /health/ready answers 200 again (a slow dependency check under load may say 503 for a moment); the process must not exit meanwhile. */
export async function eventuallyReady(service: RunningService, timeoutMs = 30_000): Promise<void> {
  await waitForHealth(service, { timeoutMs });
}

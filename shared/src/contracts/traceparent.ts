import { randomBytes } from 'node:crypto';

// W3C Trace Context: version-traceid-parentid-flags, lower-case hex. The one reader of the header,
// for HTTP requests (correlationMiddleware) and Kafka messages (the consumer's child span) alike.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

interface Traceparent {
  traceId: string;
  flags: string;
}

function parseTraceparent(value: string): Traceparent | undefined {
  const match = TRACEPARENT.exec(value);
  if (!match) return undefined;
  const [, version, traceId = '', parentId = '', flags = '', rest] = match;
  if (version === 'ff') return undefined;
  // Version 00 has exactly four fields; later versions may append more.
  if (version === '00' && rest !== undefined) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return { traceId, flags };
}

/** True for a W3C `traceparent` header value we may propagate. */
export function isValidTraceparent(value: string): boolean {
  return parseTraceparent(value) !== undefined;
}

/** A child span of `parent` (same trace id and flags) when it is valid, or else a new trace. */
export function childTraceparent(parent?: string): string {
  const valid = parent === undefined ? undefined : parseTraceparent(parent);
  return `00-${valid?.traceId ?? randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-${valid?.flags ?? '01'}`;
}

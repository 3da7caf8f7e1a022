import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What travels with one unit of work — an HTTP request, or the handling of one consumed event —
 * so that logs and the events it causes carry the same correlation id (SPEC §7).
 */
export interface RequestContext {
  correlationId: string;
  /** The eventId of the event being handled, when the work was caused by one. */
  causationId?: string;
  /** W3C traceparent of the incoming request or message, if any. */
  traceparent?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/** The current correlation id, or a fresh one for work that starts outside any request. */
export function currentCorrelationId(): string {
  return storage.getStore()?.correlationId ?? randomUUID();
}

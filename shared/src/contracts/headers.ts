import type { IHeaders } from 'kafkajs';
import type { DomainEvent } from './codec.js';

/** Header names (SPEC §4: eventType, eventId, version, correlationId, traceparent). */
export const HEADERS = {
  eventType: 'eventType',
  eventId: 'eventId',
  version: 'version',
  correlationId: 'correlationId',
  causationId: 'causationId',
  traceparent: 'traceparent',
} as const;

export function eventHeaders(event: DomainEvent, traceparent: string): Record<string, string> {
  return {
    [HEADERS.eventType]: event.eventType,
    [HEADERS.eventId]: event.eventId,
    [HEADERS.version]: String(event.version),
    [HEADERS.correlationId]: event.correlationId,
    ...(event.causationId ? { [HEADERS.causationId]: event.causationId } : {}),
    [HEADERS.traceparent]: traceparent,
  };
}

/** Kafka headers as plain strings (the first value of repeated headers). */
export function readHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

import { randomUUID } from 'node:crypto';
import { currentContext, currentCorrelationId } from '../context/requestContext.js';
import type { EventEnvelope } from './envelope.js';
import { envelopeSchema } from './envelope.js';
import type { EventDataMap, EventType } from './events.js';
import { EVENTS, isEventType } from './events.js';

export type DomainEvent<T extends EventType = EventType> = { [K in T]: EventEnvelope<K, EventDataMap[K]> }[T];

export interface CreateEventOptions {
  source: string;
  /** Defaults to the current request's / handled event's correlation id. */
  correlationId?: string;
  /** Defaults to the eventId of the event being handled, if any. */
  causationId?: string | null;
  /** Write a version other than the latest (for tests of old producers). */
  version?: number;
}

/** Builds a validated envelope for an event in its latest version (or the one asked for). */
export function createEvent<T extends EventType>(eventType: T, data: EventDataMap[T], opts: CreateEventOptions): DomainEvent<T> {
  const definition = EVENTS[eventType];
  const version = opts.version ?? definition.latestVersion;
  const known = (definition.versions as Record<number, { schema: { parse: (v: unknown) => unknown } }>)[version];
  if (!known) throw new Error(`${eventType} has no version ${version}`);
  const context = currentContext();
  return {
    eventId: randomUUID(),
    eventType,
    version,
    occurredAt: new Date().toISOString(),
    source: opts.source,
    correlationId: opts.correlationId ?? currentCorrelationId(),
    causationId: opts.causationId !== undefined ? opts.causationId : (context?.causationId ?? null),
    data: known.schema.parse(data) as EventDataMap[T],
  } as DomainEvent<T>;
}

export type ParseResult =
  | { kind: 'ok'; event: DomainEvent }
  | { kind: 'unknown-type'; eventType: string; eventId?: string }
  | { kind: 'invalid'; reason: string; eventType?: string; eventId?: string };

/**
 * Reads a consumed message value. Versions: a known version is read with its schema and upcast
 * to the latest shape; a newer version than this code knows is read with the newest schema it
 * knows (additive changes only — the tolerant-reader rule that lets old consumers keep working).
 */
export function parseEvent(value: Buffer | string | null): ParseResult {
  if (value === null) return { kind: 'invalid', reason: 'empty message value' };
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch {
    return { kind: 'invalid', reason: 'value is not valid JSON' };
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) {
    const raw = (json ?? {}) as Record<string, unknown>;
    return {
      kind: 'invalid',
      reason: `invalid envelope: ${summarizeIssues(envelope.error.issues)}`,
      eventType: str(raw.eventType),
      eventId: str(raw.eventId),
    };
  }
  const { eventType, eventId, version } = envelope.data;
  if (!isEventType(eventType)) return { kind: 'unknown-type', eventType, eventId };

  const definition = EVENTS[eventType];
  const versions = definition.versions as Record<
    number,
    {
      schema: { safeParse: (v: unknown) => { success: boolean; data?: unknown; error?: { issues: Issue[] } } };
      upcast: (d: never) => unknown;
    }
  >;
  const readAs =
    version in versions
      ? version
      : Math.max(
          ...Object.keys(versions)
            .map(Number)
            .filter((v) => v <= version),
        );
  const reader = versions[readAs];
  if (!reader) return { kind: 'invalid', reason: `${eventType} version ${version} is not readable`, eventType, eventId };
  const data = reader.schema.safeParse(envelope.data.data);
  if (!data.success)
    return {
      kind: 'invalid',
      reason: `invalid ${eventType} v${version} payload: ${summarizeIssues(data.error?.issues ?? [])}`,
      eventType,
      eventId,
    };
  return { kind: 'ok', event: { ...envelope.data, eventType, data: reader.upcast(data.data as never) } as DomainEvent };
}

interface Issue {
  path: PropertyKey[];
  message: string;
}

/** A schema's first issues in one line (`path: message; …`), for logs and error messages. */
export const summarizeIssues = (issues: readonly Issue[]): string =>
  issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const serializeEvent = (event: DomainEvent): string => JSON.stringify(event);

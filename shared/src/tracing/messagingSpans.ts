import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  isSpanContextValid,
  propagation,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import { HEADERS, readHeaders } from '../contracts/headers.js';
import { childTraceparent } from '../contracts/traceparent.js';

/*
 * Kafka spans, one per event, each in the trace its traceparent names (SPEC §7). With tracing off
 * the tracer is the API's no-op one: nothing records, and every function here leaves the headers
 * and the context as they were.
 */
const tracer = trace.getTracer('@orderplatform/shared');

interface PublishedEntry {
  topic: string;
  key: string;
  eventId: string;
  eventType: string;
  headers: Record<string, string>;
}

export interface PublishSpans {
  /** The entry's headers, with the traceparent of its publish span when one is recording. */
  headers(entry: PublishedEntry): Record<string, string>;
  /** Waits for the send and ends every span (marked failed when the send fails). */
  around<T>(send: Promise<T>): Promise<T>;
}

function messagingAttributes(topic: string, operation: 'send' | 'process', extra: Attributes): Attributes {
  return {
    'messaging.system': 'kafka',
    'messaging.destination.name': topic,
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
    ...extra,
  };
}

function fail(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/**
 * The traceparent for events written now: the current span's when tracing is on (so the relay's
 * publish span becomes its child), else a new span id under the incoming request's or message's trace.
 */
export function traceparentForEvents(parent: string | undefined): string {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext && isSpanContextValid(spanContext)) {
    return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
  }
  return childTraceparent(parent);
}

/**
 * One PRODUCER span per outbox entry, a child of the request or event handling that wrote it (its
 * stored traceparent), however many orders one sendBatch carries.
 */
export function startPublishSpans(entries: readonly PublishedEntry[]): PublishSpans {
  const spans: Span[] = [];
  const headersOf = new Map<PublishedEntry, Record<string, string>>();
  for (const entry of entries) {
    const parent = propagation.extract(ROOT_CONTEXT, entry.headers);
    const span = tracer.startSpan(
      `send ${entry.topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: messagingAttributes(entry.topic, 'send', {
          'messaging.kafka.message.key': entry.key,
          'messaging.message.id': entry.eventId,
          'orderplatform.event_type': entry.eventType,
        }),
      },
      parent,
    );
    if (!span.isRecording()) continue;
    const headers = { ...entry.headers };
    propagation.inject(trace.setSpan(parent, span), headers);
    headersOf.set(entry, headers);
    spans.push(span);
  }
  return {
    headers: (entry) => headersOf.get(entry) ?? entry.headers,
    async around(send) {
      try {
        return await send;
      } catch (err) {
        for (const span of spans) fail(span, err);
        throw err;
      } finally {
        for (const span of spans) span.end();
      }
    },
  };
}

function startConsumeSpan(
  topic: string,
  partition: number,
  message: KafkaMessage,
): { span: Span; parent: ReturnType<typeof propagation.extract> } {
  const headers = readHeaders(message.headers);
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  const span = tracer.startSpan(
    `process ${topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: messagingAttributes(topic, 'process', {
        'messaging.destination.partition.id': String(partition),
        'messaging.kafka.offset': Number(message.offset),
        ...(message.key ? { 'messaging.kafka.message.key': message.key.toString() } : {}),
        ...(headers[HEADERS.eventId] ? { 'messaging.message.id': headers[HEADERS.eventId] } : {}),
        ...(headers[HEADERS.eventType] ? { 'orderplatform.event_type': headers[HEADERS.eventType] } : {}),
      }),
    },
    parent,
  );
  return { span, parent };
}

/**
 * Runs `handle` inside a CONSUMER span that continues the message's traceparent, so the handler's
 * database writes and the events it causes belong to the same trace.
 */
export async function withConsumeSpan<T>(topic: string, partition: number, message: KafkaMessage, handle: () => Promise<T>): Promise<T> {
  const { span, parent } = startConsumeSpan(topic, partition, message);
  if (!span.isRecording()) return handle();
  try {
    return await context.with(trace.setSpan(parent, span), handle);
  } catch (err) {
    fail(span, err);
    throw err;
  } finally {
    span.end();
  }
}

export interface WaveSpans {
  /** Runs the wave's handler: inside the message's span for a wave of one, else inside a wave span linked to every message's. */
  run<T>(handle: () => Promise<T>): Promise<T>;
  /** Runs work for the i-th message inside that message's span (what a handler does per event of the wave). */
  runFor<T>(index: number, work: () => Promise<T>): Promise<T>;
  /** Ends every message's span; `errors[i]` marks the i-th as failed. */
  end(errors: ReadonlyArray<unknown>): void;
}

/**
 * One CONSUMER span per message of a wave, each in its message's trace (as `withConsumeSpan`); the
 * handler that applies the whole wave at once runs in one `process <topic> wave` span linked to them.
 */
export function startWaveSpans(topic: string, partition: number, messages: readonly KafkaMessage[]): WaveSpans {
  const started = messages.map((message) => startConsumeSpan(topic, partition, message));
  const recording = started.filter(({ span }) => span.isRecording());
  return {
    async run(handle) {
      if (recording.length === 0) return handle();
      if (started.length === 1) return context.with(trace.setSpan(started[0]!.parent, started[0]!.span), handle);
      const wave = tracer.startSpan(
        `process ${topic} wave`,
        {
          kind: SpanKind.INTERNAL,
          attributes: messagingAttributes(topic, 'process', {
            'messaging.destination.partition.id': String(partition),
            'messaging.batch.message_count': messages.length,
          }),
          links: recording.map(({ span }) => ({ context: span.spanContext() })),
        },
        ROOT_CONTEXT,
      );
      try {
        return await context.with(trace.setSpan(ROOT_CONTEXT, wave), handle);
      } catch (err) {
        fail(wave, err);
        throw err;
      } finally {
        wave.end();
      }
    },
    runFor(index, work) {
      const one = started[index];
      if (!one?.span.isRecording()) return work();
      return context.with(trace.setSpan(one.parent, one.span), work);
    },
    end(errors) {
      started.forEach(({ span }, i) => {
        if (errors[i] !== undefined) fail(span, errors[i]);
        span.end();
      });
    },
  };
}

/** Background work woken by a request (the relay's drain loop) must not become part of that request's trace. */
export function outsideAnyTrace<T>(fn: () => T): T {
  return context.with(ROOT_CONTEXT, fn);
}

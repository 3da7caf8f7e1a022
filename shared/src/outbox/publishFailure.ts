/**
 * What a failed send means for the relay, read from the kafkajs error and its causes. kafkajs wraps
 * the broker's answer (a KafkaJSProtocolError with a `type`) in retry errors; the root decides.
 */
export type PublishFailure =
  /** The broker refused the records themselves (too large, invalid): retrying the same round never helps. */
  | 'rejected'
  /** The producer's sequence state is out of step with the broker: a new producer id is needed. */
  | 'sequence'
  /** A topic has no metadata (deleted, or not created yet): provision it, then retry. */
  | 'missing-topic'
  /** Anything else (Kafka down, a leader moving, a timeout): back off and retry. */
  | 'transient';

const SEQUENCE_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'DUPLICATE_SEQUENCE_NUMBER',
  'INVALID_PRODUCER_EPOCH',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_ID_MAPPING',
]);
const MISSING_TOPIC_ERRORS = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_ID']);

interface KafkaErrorLike {
  name?: string;
  type?: string;
  retriable?: boolean;
  cause?: unknown;
  originalError?: unknown;
}

function* causes(err: unknown): Generator<KafkaErrorLike> {
  const seen = new Set<unknown>();
  for (let e = err; e && typeof e === 'object' && !seen.has(e);) {
    seen.add(e);
    const k = e as KafkaErrorLike;
    yield k;
    e = k.cause ?? k.originalError;
  }
}

export function classifyPublishFailure(err: unknown): PublishFailure {
  for (const e of causes(err)) {
    if (e.type && SEQUENCE_ERRORS.has(e.type)) return 'sequence';
    if (e.type && MISSING_TOPIC_ERRORS.has(e.type)) return 'missing-topic';
    if (e.name === 'KafkaJSMetadataNotLoaded' || e.name === 'KafkaJSTopicMetadataNotLoaded') return 'missing-topic';
    if (e.name === 'KafkaJSProtocolError' && e.retriable === false) return 'rejected';
  }
  return 'transient';
}

/** A short reason for logs and metrics: the broker's error type when there is one. */
export function failureReason(err: unknown): string {
  for (const e of causes(err)) if (e.type) return e.type;
  return err instanceof Error ? err.name : 'UNKNOWN';
}

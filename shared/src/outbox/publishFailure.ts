/**
 * What a failed send means for the relay, read from the kafkajs error and its causes. kafkajs wraps
 * the broker's answer (a KafkaJSProtocolError with a `type`) in retry errors; the root decides.
 */
export type PublishFailure =
  /** The broker refused the records themselves (too large, invalid): retrying the same records never helps. */
  | 'rejected'
  /** The producer's sequence state is out of step with the broker: a new producer id is needed. */
  | 'sequence'
  /** A topic has no metadata (deleted, or not created yet): provision it, then retry. */
  | 'missing-topic'
  /** Anything else (Kafka down, a leader moving, a timeout, a broker error about itself): back off and retry. */
  | 'transient';

const SEQUENCE_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'DUPLICATE_SEQUENCE_NUMBER',
  'INVALID_PRODUCER_EPOCH',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_ID_MAPPING',
]);
const MISSING_TOPIC_ERRORS = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_ID']);
/**
 * The broker's refusals of the records themselves, which the same records always meet again. Only
 * these park a document. Other errors kafkajs does not retry say nothing about the records (a broker
 * answering UNKNOWN_SERVER_ERROR or BROKER_NOT_AVAILABLE while it shuts down, a missing ACL): parking
 * on them would hold healthy events until an operator steps in, so the round is retried instead (so is
 * CORRUPT_MESSAGE: the records are built afresh from the stored entries, a bad checksum is the wire's).
 */
const RECORD_REFUSALS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TIMESTAMP',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'UNSUPPORTED_COMPRESSION_TYPE',
]);

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
    if (e.type && RECORD_REFUSALS.has(e.type)) return 'rejected';
  }
  return 'transient';
}

/** A short reason for logs and metrics: the broker's error type when there is one. */
export function failureReason(err: unknown): string {
  for (const e of causes(err)) if (e.type) return e.type;
  return err instanceof Error ? err.name : 'UNKNOWN';
}

import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { classifyPublishFailure, failureReason } from '../src/outbox/publishFailure.js';

/**
 * The broker's error as a send rejects with it: kafkajs bails out with the protocol error itself when
 * it does not retry it, and wraps the last one when its retries run out.
 */
function brokerAnswer(type: string, retriable: boolean): Error {
  // kafkajs builds it from its error table's entry ({ type, code, retriable, message }); its typings say Error.
  const entry = Object.assign(new Error(`broker says ${type}`), { type, code: 0, retriable });
  const protocol = new KafkaJSProtocolError(entry);
  return retriable ? new KafkaJSNumberOfRetriesExceeded(protocol, { retryCount: 5, retryTime: 300 }) : protocol;
}

describe('what a failed send means for the relay', () => {
  it('parks only on refusals of the records themselves', () => {
    expect(classifyPublishFailure(brokerAnswer('MESSAGE_TOO_LARGE', false))).toBe('rejected');
    expect(classifyPublishFailure(brokerAnswer('INVALID_RECORD', false))).toBe('rejected');
    expect(classifyPublishFailure(brokerAnswer('INVALID_TIMESTAMP', false))).toBe('rejected');
  });

  it("retries a broker's non-retriable error about itself instead of parking healthy events", () => {
    // kafkajs does not retry these, but the same records would go through once the broker is well again.
    for (const type of ['UNKNOWN', 'BROKER_NOT_AVAILABLE', 'TOPIC_AUTHORIZATION_FAILED', 'INVALID_REQUIRED_ACKS'])
      expect(classifyPublishFailure(brokerAnswer(type, false)), type).toBe('transient');
    expect(classifyPublishFailure(brokerAnswer('CORRUPT_MESSAGE', true))).toBe('transient');
    expect(classifyPublishFailure(new Error('Connection error: connect ECONNREFUSED'))).toBe('transient');
  });

  it('tells a broken sequence and a missing topic apart, and names the reason', () => {
    expect(classifyPublishFailure(brokerAnswer('OUT_OF_ORDER_SEQUENCE_NUMBER', false))).toBe('sequence');
    expect(classifyPublishFailure(brokerAnswer('UNKNOWN_TOPIC_OR_PARTITION', true))).toBe('missing-topic');
    expect(failureReason(brokerAnswer('MESSAGE_TOO_LARGE', false))).toBe('MESSAGE_TOO_LARGE');
  });
});

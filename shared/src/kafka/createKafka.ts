import { Kafka, Partitioners, type Producer, type RetryOptions } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaLogCreator } from '../logging/index.js';
import { stopIdleRequestQueueTimers } from './idleRequestQueue.js';
import { onePartitionPerRequest } from './onePartitionPerRequest.js';

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  logger: Logger;
  /** How long one request may go unanswered before kafkajs retries it (default 30 s). */
  requestTimeoutMs?: number;
  /** The client's retries (its connections to the brokers); default CLIENT_RETRY. */
  retry?: RetryOptions;
}

/** Connections and requests of the client: 8 retries growing to 5 s, ~15 s in all (seen: a consumer crashed 15–16 s into an outage). */
const CLIENT_RETRY: RetryOptions = { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000 };

/**
 * The outbox relay's client: a produce request that a restarting broker never answers is given up on
 * (and retried, idempotently, inside the producer's ~16 s of retries) after 10 s instead of 30 s.
 */
export const PUBLISH_REQUEST_TIMEOUT_MS = 10_000;

/**
 * A kafkajs client whose logs go to pino. Retries are generous so a broker restart is ridden
 * out (requests wait for it) instead of surfacing as errors to the relay and consumers. Its connections
 * sleep while they have nothing to do (stopIdleRequestQueueTimers).
 */
export function createKafka({ clientId, brokers, logger, requestTimeoutMs = 30_000, retry = CLIENT_RETRY }: KafkaClientOptions): Kafka {
  stopIdleRequestQueueTimers();
  return new Kafka({
    clientId,
    brokers,
    logCreator: kafkaLogCreator(logger),
    connectionTimeout: 3_000,
    requestTimeout: requestTimeoutMs,
    retry,
  });
}

/**
 * The producer's retries span ~16 s (100 ms growing to 3 s, 12 times; kafkajs grows each wait by about
 * 1.5×): longer than a cluster takes to move the leadership of a SIGKILLed broker's partitions (the
 * controller fences it after broker.session.timeout.ms, 9 s by default, then elects a new leader from the
 * in-sync replicas), so a leader failover is ridden out inside one send. The client-wide retries (8, up
 * to 5 s) measured ~7.5 s, and a failover that outlasted them failed the send: the relay sent the round
 * again and the partitions that had succeeded got their events twice.
 */
export const PRODUCER_RETRY = { initialRetryTime: 100, retries: 12, maxRetryTime: 3_000 };

/**
 * The consumers' client and fetch loop retries: waits capped at 1 s, as the Java client's
 * reconnect.backoff.max.ms, so a member is back within a second of the broker's return; and enough of
 * them (~1 min) to ride out a broker restart as the SAME member. kafkajs gives up a consumer whose
 * connection retries run out and starts it again as a new member, and the coordinator, which reloads the
 * old member with the group, holds the new one's join until the old one's session times out (seen: 10.2 s
 * and 18 s between "Starting" and "Joined consumer group" after broker restarts, with CLIENT_RETRY).
 * Consumers get a client of their own for this (kafkajs takes connection retries from the client only):
 * createConsumerKafka.
 */
export const CONSUMER_RETRY: RetryOptions = { initialRetryTime: 100, retries: 60, maxRetryTime: 1_000 };

/** The client consumers are built on (CONSUMER_RETRY); the DLT publisher and the relay use their own. */
export function createConsumerKafka(options: Omit<KafkaClientOptions, 'retry'>): Kafka {
  return createKafka({ ...options, retry: CONSUMER_RETRY });
}

/**
 * The one producer shape used for events: idempotent (no duplicates from its own retries), acks=all on
 * every send, one partition per produce request (see onePartitionPerRequest: kafkajs 2.2.4 loses or
 * duplicates messages when a multi-partition send is retried across a leader change).
 */
export function createIdempotentProducer(kafka: Kafka): Producer {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: PRODUCER_RETRY,
  });
  return onePartitionPerRequest(producer, kafka);
}

import { Kafka, Partitioners, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaLogCreator } from '../logging/index.js';
import { onePartitionPerRequest } from './onePartitionPerRequest.js';

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  logger: Logger;
}

/**
 * A kafkajs client whose logs go to pino. Retries are generous so a broker restart is ridden
 * out (requests wait for it) instead of surfacing as errors to the relay and consumers.
 */
export function createKafka({ clientId, brokers, logger }: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logCreator: kafkaLogCreator(logger),
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000 },
  });
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
  });
  return onePartitionPerRequest(producer, kafka);
}

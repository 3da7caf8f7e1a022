import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { BaseConfig } from '../config/defineServiceConfig.js';
import { TOPICS } from '../contracts/topics.js';
import type { HealthCheck } from '../http/createHealthRouter.js';
import { createConsumerKafka, createIdempotentProducer, createKafka, PUBLISH_REQUEST_TIMEOUT_MS } from '../kafka/createKafka.js';
import { countKafkaRequests } from '../kafka/countKafkaRequests.js';
import { MongoProcessedEventStore } from '../persistence/MongoProcessedEventStore.js';
import { ReliableConsumer, type ReliableConsumerOptions } from '../kafka/ReliableConsumer.js';
import type { ShutdownStep } from '../lifecycle/index.js';
import type { TopicSpec } from '../kafka/TopicProvisioner.js';
import { Outbox } from '../outbox/Outbox.js';
import { OutboxRelay } from '../outbox/OutboxRelay.js';
import { createDatabaseConnection, initModels, isDatabaseUp, type ManagedModel } from '../persistence/connectDatabase.js';
import { KafkaRuntime } from './KafkaRuntime.js';

export type ConsumerOptions = Pick<ReliableConsumerOptions, 'retry' | 'partitionsConsumedConcurrently'> & { naturallyIdempotent?: boolean };

/** The infrastructure every service has: its database, Kafka, the outbox and the processed-events store. */
export interface Infrastructure<M extends Record<string, ManagedModel> = Record<string, ManagedModel>> {
  connection: Connection;
  /** The service's models, compiled on `connection`: initModels creates exactly their collections and indexes. */
  models: M;
  /** Starts connecting to the database (retried in the background; nothing connects before). */
  connect(): void;
  /** Once the database answers: creates the collections and indexes of `models` (and of the processed-events store when a consumer keeps it). */
  prepareDatabase(): Promise<void>;
  kafka: KafkaRuntime;
  relay: OutboxRelay;
  outbox: Outbox;
  processedEvents: MongoProcessedEventStore;
  healthChecks: HealthCheck[];
  /** Topic names after config overrides. */
  topics: { orderEvents: string; inventoryEvents: string };
  /**
   * A reliable consumer wired to this service's DLT producer and processed-events store, started with
   * Kafka. `naturallyIdempotent: true` leaves the processed-events record out (a lookup per batch and
   * a write per event): only for handlers whose every effect is a conditional write that a redelivery
   * leaves unchanged.
   */
  createConsumer(groupId: string, topic: string, options?: ConsumerOptions): ReliableConsumer;
  /** Shutdown steps after the HTTP server: consumers finish and commit, the outbox flushes, connections close. */
  shutdownSteps(): ShutdownStep[];
}

/**
 * Builds the connections a service needs without opening them: `connect()` opens the database,
 * `kafka.start()` Kafka. `consumes` topics get a DLT. Nothing here blocks on Kafka or MongoDB being up.
 */
export function createInfrastructure<M extends Record<string, ManagedModel>>(
  config: BaseConfig,
  logger: Logger,
  use: {
    produces: Array<keyof Infrastructure['topics']>;
    consumes: Array<keyof Infrastructure['topics']>;
    /** Compiles the service's models on its connection. */
    models: (connection: Connection) => M;
  },
): Infrastructure<M> {
  const topics = { orderEvents: config.ORDER_EVENTS_TOPIC, inventoryEvents: config.INVENTORY_EVENTS_TOPIC };
  const specs: TopicSpec[] = [...new Set([...use.produces, ...use.consumes])].map((name) => ({
    topic: topics[name],
    numPartitions: config.KAFKA_TOPIC_PARTITIONS,
    withDlt: use.consumes.includes(name),
  }));
  const database = createDatabaseConnection(config.DB_URL, logger, { operationTimeoutMs: config.DB_OPERATION_TIMEOUT_MS });
  const connection = database.connection;
  const models = use.models(connection);
  const kafkaClient = createKafka({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger });
  // Collections and indexes exist before the first event is consumed and before /health/ready says so.
  let modelsReady = false;
  let keepsProcessedEvents = false;
  const prepareDatabase = async (): Promise<void> => {
    await initModels(connection, [...Object.values(models), ...(keepsProcessedEvents ? [processedEvents.model] : [])]);
    modelsReady = true;
  };
  const kafka = new KafkaRuntime(
    kafkaClient,
    specs,
    logger.child({ component: 'kafka' }),
    { replicationFactor: config.KAFKA_REPLICATION_FACTOR, minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS },
    prepareDatabase,
  );
  // The relay has its own producer, which it replaces after a failed send (a new producer id).
  const publishClient = createKafka({
    clientId: config.KAFKA_CLIENT_ID,
    brokers: config.KAFKA_BROKERS,
    logger,
    requestTimeoutMs: PUBLISH_REQUEST_TIMEOUT_MS,
  });
  // Consumers ride out a broker restart on their own client's longer, finer retries (CONSUMER_RETRY).
  const consumeClient = createConsumerKafka({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger });
  const relay = new OutboxRelay(() => createIdempotentProducer(publishClient), logger.child({ component: 'outbox-relay' }), {
    provisionTopics: () => kafka.provision(),
  });
  kafka.withRelay(relay);
  countKafkaRequests(kafka.producer, 'producer');
  const outbox = new Outbox(relay, { [TOPICS.orderEvents]: topics.orderEvents, [TOPICS.inventoryEvents]: topics.inventoryEvents });
  const processedEvents = new MongoProcessedEventStore(connection);
  return {
    connection,
    models,
    connect: () => database.open(),
    prepareDatabase,
    kafka,
    relay,
    outbox,
    processedEvents,
    createConsumer(groupId, topic, { naturallyIdempotent = false, ...options } = {}) {
      if (!naturallyIdempotent) keepsProcessedEvents = true;
      const consumer = new ReliableConsumer({
        kafka: consumeClient,
        groupId,
        topics: [topic],
        logger,
        deadLetters: kafka.deadLetters,
        ...(naturallyIdempotent ? {} : { processedEvents }),
        ...options,
      });
      countKafkaRequests(consumer.kafkaConsumer, 'consumer');
      kafka.addConsumer(consumer);
      return consumer;
    },
    shutdownSteps: () => [
      { name: 'kafka', run: () => kafka.stop() },
      { name: 'mongodb', run: () => connection.close() },
    ],
    healthChecks: [
      { name: 'mongodb', check: async () => modelsReady && (await isDatabaseUp(connection)) },
      { name: 'kafka', check: () => kafka.isUp() },
    ],
    topics,
  };
}

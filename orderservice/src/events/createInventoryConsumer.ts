import { ReliableConsumer, type Infrastructure, type Logger } from '@orderplatform/shared';
import type { Config } from '../config.js';
import type { InventoryEventsHandler } from './InventoryEventsHandler.js';

/** The consumer of inventory's events, on the shared reliable loop (dedupe, retries, DLT). */
export function createInventoryConsumer(config: Config, infra: Infrastructure, logger: Logger, handler: InventoryEventsHandler): ReliableConsumer {
  const consumer = new ReliableConsumer({
    kafka: infra.kafka.kafka,
    groupId: config.CONSUMER_GROUP_ID,
    topics: [infra.topics.inventoryEvents],
    logger,
    deadLetters: infra.kafka.deadLetters,
    processedEvents: infra.processedEvents,
  });
  return handler.register(consumer);
}

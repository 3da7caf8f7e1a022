export * from './createKafka.js';
export * from './idleRequestQueue.js';
export * from './TopicProvisioner.js';
export * from './ProcessedEventStore.js';
export * from './DeadLetterPublisher.js';
export * from './ReliableConsumer.js';
export * from './dltReplay.js';
export * from './applyWaveConcurrently.js';

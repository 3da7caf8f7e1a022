export * from './outboxSchema.js';
export * from './Outbox.js';
export * from './OutboxRelay.js';

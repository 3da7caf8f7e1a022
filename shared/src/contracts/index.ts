export * from './topics.js';
export * from './envelope.js';
export * from './schemas.js';
export * from './events.js';
export * from './codec.js';
export * from './headers.js';
export * from './traceparent.js';
export * from './entityId.js';

export * from './topics.js';
export * from './envelope.js';
export * from './schemas.js';
export * from './events.js';
export * from './codec.js';
export * from './headers.js';

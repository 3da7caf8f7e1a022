import 'reflect-metadata';

export * from './context/requestContext.js';
export * from './errors/DomainError.js';
export * from './errors/PermanentError.js';
export * from './contracts/index.js';
export * from './metrics/metrics.js';
export * from './outbox/index.js';
export * from './kafka/index.js';
export * from './config/index.js';
export * from './auth/index.js';
export * from './logging/index.js';
export * from './http/index.js';
export * from './lifecycle/index.js';
export * from './runtime/index.js';
export * from './docs/index.js';
export * from './persistence/mongo.js';

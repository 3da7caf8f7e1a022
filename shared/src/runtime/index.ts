export * from './KafkaRuntime.js';
export * from './startHttpServer.js';
export * from './createInfrastructure.js';
export * from './seedWhenReady.js';
export * from './Service.js';
export * from './serviceLifecycle.js';

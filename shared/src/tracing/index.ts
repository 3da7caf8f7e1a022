// What a service's `--import` bootstrap needs; nothing here loads express, kafkajs or mongoose.
export { startTracing } from './startTracing.js';
export { tracingConfigSchema, tracingEnabled, type TracingConfig } from './tracingConfig.js';

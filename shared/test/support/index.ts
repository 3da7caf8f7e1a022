// @orderplatform/shared/testing: the kit's test aggregate and helpers, for tests and benchmarks outside shared.
export * from './testOrders.js';
export { seeded } from './random.js';

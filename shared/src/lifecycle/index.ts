export {
  registerGracefulShutdown,
  runShutdownSteps,
  type GracefulShutdownOptions,
  type ShutdownStep,
  type TriggerShutdown,
} from './registerGracefulShutdown.js';
export { PeriodicTask } from './PeriodicTask.js';
export { backoffDelay, DEFAULT_RETRY_POLICY, RECONNECT_BACKOFF, sleep, type Backoff, type RetryPolicy } from './backoff.js';

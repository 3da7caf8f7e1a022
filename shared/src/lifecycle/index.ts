export {
  registerGracefulShutdown,
  runShutdownSteps,
  type GracefulShutdownOptions,
  type ShutdownStep,
  type TriggerShutdown,
} from './registerGracefulShutdown.js';
export { PeriodicTask } from './PeriodicTask.js';

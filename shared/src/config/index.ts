export { ConfigError, type ConfigProblem } from './ConfigError.js';
export {
  baseConfigShape,
  defaultDbUrl,
  DEV_ADMIN_API_KEY,
  LOG_LEVELS,
  MIN_PRODUCTION_ADMIN_KEY_LENGTH,
  type BaseConfigShape,
  type ServiceConfigDefaults,
} from './baseConfigShape.js';
export { baseConfigSchema, defineServiceConfig, type BaseConfig } from './defineServiceConfig.js';
export { loadConfig, loadConfigOrExit, type ConfigEnv, type ConfigExitIo } from './loadConfig.js';

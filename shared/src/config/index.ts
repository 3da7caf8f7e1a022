export { ConfigError, type ConfigProblem } from './ConfigError.js';
export {
  baseConfigShape,
  defaultDbUrl,
  DEV_ADMIN_API_KEY,
  LOG_LEVELS,
  MIN_PRODUCTION_ADMIN_KEY_LENGTH,
  nodeEnv,
  type BaseConfigShape,
  type ServiceConfigDefaults,
} from './baseConfigShape.js';
export {
  customerAuthConfigShape,
  DEV_AUTH_JWT_SECRET,
  MIN_PRODUCTION_JWT_SECRET_LENGTH,
  type CustomerAuthConfig,
} from './customerAuthConfigShape.js';
export { baseConfigSchema, defineConfig, defineServiceConfig, type BaseConfig } from './defineServiceConfig.js';
export { loadConfig, loadConfigOrExit, type ConfigEnv, type ConfigExitIo } from './loadConfig.js';

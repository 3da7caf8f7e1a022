/** Dependency-injection tokens: the only names classes are registered under. */
export const TOKENS = {
  Config: Symbol('Config'),
  Logger: Symbol('Logger'),
  Infrastructure: Symbol('Infrastructure'),
} as const;

/** One problem with one environment variable. */
export interface ConfigProblem {
  variable: string;
  problem: string;
}

/**
 * Thrown when the environment does not satisfy a service's config schema. The message is a
 * single line naming every bad variable, so an operator sees all problems at once (SPEC §8).
 */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.variable}: ${p.problem}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

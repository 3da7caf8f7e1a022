import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './ConfigError.js';

export type ConfigEnv = Record<string, string | undefined>;

/** `PORT=` in a .env file means "not set", not "the empty string". */
function withoutEmptyValues(env: ConfigEnv): ConfigEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
}

function toProblems(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  const byVariable = new Map<string, string[]>();
  for (const issue of issues) {
    // Env vars are flat; a problem inside one (a broker in the list) is reported against it.
    const variable = issue.path[0] === undefined ? '(environment)' : String(issue.path[0]);
    const messages = byVariable.get(variable) ?? [];
    if (!messages.includes(issue.message)) messages.push(issue.message);
    byVariable.set(variable, messages);
  }
  return [...byVariable].map(([variable, messages]) => ({ variable, problem: messages.join(', ') }));
}

/** Parses the environment with the schema; throws a ConfigError naming every bad variable. */
export function loadConfig<S extends z.ZodType>(schema: S, env: ConfigEnv = process.env): z.output<S> {
  const result = schema.safeParse(withoutEmptyValues(env));
  if (!result.success) throw new ConfigError(toProblems(result.error.issues));
  return result.data;
}

export interface ConfigExitIo {
  exit: (code: number) => never | void;
  writeError: (line: string) => void;
}

const processIo: ConfigExitIo = {
  exit: (code) => process.exit(code),
  writeError: (line) => process.stderr.write(`${line}\n`),
};

/** For main.ts: bad config prints one line to stderr and exits 1 (SPEC §8). */
export function loadConfigOrExit<S extends z.ZodType>(schema: S, env: ConfigEnv = process.env, io: ConfigExitIo = processIo): z.output<S> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.writeError(error.message);
    io.exit(1);
    // Only reached when a test injects an exit that returns.
    throw error;
  }
}

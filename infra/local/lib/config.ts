import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const INFRA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(INFRA_DIR, '..', '..');

/** Where and on which ports one local stack lives. Tests start a second one on other ports. */
export interface StackOptions {
  /** Jars and compiled launcher; shared by every stack on the machine. */
  cacheDir: string;
  /** Data, logs and pid files of this stack. */
  stateDir: string;
  host: string;
  kafkaPort: number;
  kafkaControllerPort: number;
  mongoPort: number;
  /** Max time for each component to accept clients. */
  readyTimeoutMs: number;
}

export function defaultStackOptions(env: NodeJS.ProcessEnv = process.env): StackOptions {
  const cacheDir = path.resolve(env.LOCAL_STACK_DIR ?? path.join(REPO_ROOT, '.cache', 'local-stack'));
  return {
    cacheDir,
    stateDir: path.join(cacheDir, 'default'),
    host: '127.0.0.1',
    kafkaPort: 9092,
    kafkaControllerPort: 9093,
    mongoPort: 27017,
    readyTimeoutMs: 120_000,
  };
}

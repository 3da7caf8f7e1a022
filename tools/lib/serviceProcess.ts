import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../infra/local/lib/config.js';
import { freePort } from '../../infra/local/lib/processes.js';
import { until } from './eventually.js';
import { http } from './http.js';

/**
 * The one launcher of the demo, the benchmark, the chaos run and the process-level tests:
 * `node --import tsx --import ./src/tracing.ts src/main.ts` in its folder (what `npm start` runs),
 * bound to loopback. The tracing bootstrap does nothing unless the env has OTEL_* set.
 */
export { REPO_ROOT };

export type ServiceName = 'orderservice' | 'inventoryservice' | 'notificationservice';

export interface ServiceProcess {
  name: ServiceName;
  port: number;
  url: string;
  child: ChildProcess;
  /** Where the output goes, when it goes to a file. */
  logFile: string | undefined;
  /** Every line the process printed (JSON lines from pino), when it has no log file. */
  logs: string[];
  /** For an error message: the log file's path, or the last lines printed. */
  whereToLook(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  isRunning(): boolean;
  /** SIGTERM (graceful shutdown), SIGKILL if still running after the grace period. */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL: a crash — no graceful shutdown, no offset commit, no outbox flush. */
  kill(): Promise<void>;
}

/** A port nothing listens on right now (the OS picks it); the local stack's own. */
export { freePort };

/**
 * SERVICE_CPU_PROF_DIR=dir writes V8 CPU profiles of each service under dir/<service>/ when it exits
 * (open them in Chrome DevTools). NODE_OPTIONS cannot carry --cpu-prof, hence this switch.
 */
function profileFlags(name: ServiceName): string[] {
  const dir = process.env.SERVICE_CPU_PROF_DIR;
  // One folder per service: Node names the files itself, one per thread (tsx's loader has its own).
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir, name)}`] : [];
}

export interface SpawnOptions {
  port: number;
  /** On top of this process's environment; PORT and HOST (127.0.0.1) are set by the launcher. */
  env?: Record<string, string | undefined>;
  /** Appends the output to this file (its folder created); without it the output is kept, line by line, in `logs`. */
  logFile?: string;
  /** The checkout whose service runs (the benchmark's --compare starts another commit's from a worktree). */
  root?: string;
}

export interface LaunchOptions extends Omit<SpawnOptions, 'port'> {
  /** Default: a free port. */
  port?: number;
  /** Wait for /health/ready (default) or only for /health/live (when a dependency is meant to be down). */
  waitFor?: 'ready' | 'live';
  readyTimeoutMs?: number;
}

/** Starts the process and returns at once (see launchService to wait until it is ready). */
export function spawnService(name: ServiceName, { port, env = {}, logFile, root = REPO_ROOT }: SpawnOptions): ServiceProcess {
  // An older commit (bench --compare) may have no tracing bootstrap yet.
  const tracing = existsSync(path.join(root, name, 'src', 'tracing.ts')) ? ['--import', './src/tracing.ts'] : [];
  const child = spawn(process.execPath, [...profileFlags(name), '--import', 'tsx', ...tracing, 'src/main.ts'], {
    cwd: path.join(root, name),
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let output: (chunk: Buffer) => void;
  if (logFile) {
    mkdirSync(path.dirname(logFile), { recursive: true });
    const file = createWriteStream(logFile, { flags: 'a' });
    output = (chunk) => file.write(chunk);
    child.once('close', () => file.end());
  } else {
    // Whole lines only: a chunk may end in the middle of one.
    let partial = '';
    output = (chunk) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      logs.push(...lines.filter((l) => l.length > 0));
    };
    child.once('close', () => partial.length > 0 && logs.push(partial));
  }
  child.stdout!.on('data', output);
  child.stderr!.on('data', output);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const isRunning = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    logFile,
    logs,
    exited,
    isRunning,
    whereToLook: () => (logFile ? `see ${path.relative(REPO_ROOT, logFile)}` : logs.slice(-20).join('\n')),
    async stop(graceMs = 15_000) {
      if (isRunning()) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (isRunning()) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * The one launcher: starts the service (on a free port unless given one) and waits until it answers
 * /health/ready (or /health/live). A service that does not get there is killed, and the error says
 * where to look (its log file, or its last lines).
 */
export async function launchService(
  name: ServiceName,
  { waitFor, readyTimeoutMs, port, ...spawnOptions }: LaunchOptions = {},
): Promise<ServiceProcess> {
  const service = spawnService(name, { ...spawnOptions, port: port ?? (await freePort()) });
  try {
    await waitForHealth(service, { path: waitFor, timeoutMs: readyTimeoutMs });
  } catch (err) {
    await service.kill();
    throw err;
  }
  return service;
}

/**
 * Polls /health/ready (or /health/live) until 200. Throws when the process exits first or the time
 * runs out, saying where to look (`service.whereToLook()`).
 */
export async function waitForHealth(service: ServiceProcess, opts: { path?: 'ready' | 'live'; timeoutMs?: number } = {}): Promise<void> {
  const { path: which = 'ready', timeoutMs = 60_000 } = opts;
  await until(
    async () => {
      if (!service.isRunning())
        throw new Error(
          `${service.name} exited (${service.child.exitCode ?? service.child.signalCode}) before it was ${which}\n${service.whereToLook()}`,
        );
      return http('GET', `${service.url}/health/${which}`, undefined, {}, { timeoutMs: 2_000 }).then(
        (res) => res.status === 200,
        () => false, // not listening yet
      );
    },
    () => `${service.name} ${which}\n${service.whereToLook()}`,
    timeoutMs,
  );
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The one way the demo, the benchmark, the chaos run and the process-level tests start a service:
 * `node --import tsx --import ./src/tracing.ts src/main.ts` in its folder (what `npm start` runs),
 * bound to loopback. The tracing bootstrap does nothing unless the env has OTEL_* set.
 */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export type ServiceName = 'orderservice' | 'inventoryservice' | 'notificationservice';

export interface ServiceProcess {
  name: ServiceName;
  port: number;
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  isRunning(): boolean;
  /** SIGTERM (graceful shutdown), SIGKILL if still running after the grace period. */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL: a crash — no graceful shutdown, no offset commit, no outbox flush. */
  kill(): Promise<void>;
}

/** A port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An output sink appending to a log file (created with its folder). */
export function appendToFile(file: string): (chunk: Buffer | string) => void {
  mkdirSync(path.dirname(file), { recursive: true });
  const out = createWriteStream(file, { flags: 'a' });
  return (chunk) => out.write(chunk);
}

/**
 * SERVICE_CPU_PROF_DIR=dir writes V8 CPU profiles of each service under dir/<service>/ when it exits
 * (open them in Chrome DevTools). NODE_OPTIONS cannot carry --cpu-prof, hence this switch.
 */
function profileFlags(name: ServiceName): string[] {
  const dir = process.env.SERVICE_CPU_PROF_DIR;
  // One folder per service: Node names the files itself, one per thread (tsx's loader has its own).
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir, name)}`] : [];
}

/** `root`: the checkout whose service runs (the benchmark's --compare starts another commit's from a worktree). */
export function spawnService(
  name: ServiceName,
  port: number,
  env: Record<string, string | undefined>,
  output: (chunk: Buffer) => void,
  root = REPO_ROOT,
): ServiceProcess {
  // An older commit (bench --compare) may have no tracing bootstrap yet.
  const tracing = existsSync(path.join(root, name, 'src', 'tracing.ts')) ? ['--import', './src/tracing.ts'] : [];
  const child = spawn(process.execPath, [...profileFlags(name), '--import', 'tsx', ...tracing, 'src/main.ts'], {
    cwd: path.join(root, name),
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', output);
  child.stderr!.on('data', output);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const isRunning = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    exited,
    isRunning,
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
 * Polls /health/ready (or /health/live) until 200. Throws when the process exits first or the time
 * runs out; `context` adds where to look (a log file, the last log lines) to the message.
 */
export async function waitForHealth(
  service: ServiceProcess,
  opts: { path?: 'ready' | 'live'; timeoutMs?: number; context?: () => string } = {},
): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const context = () => (opts.context ? `\n${opts.context()}` : '');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!service.isRunning())
      throw new Error(
        `${service.name} exited (${service.child.exitCode ?? service.child.signalCode}) before it was ${opts.path ?? 'ready'}${context()}`,
      );
    try {
      const res = await fetch(`${service.url}/health/${opts.path ?? 'ready'}`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${service.name} not ${opts.path ?? 'ready'} within ${timeoutMs / 1000} s${context()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

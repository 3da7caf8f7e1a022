import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './freePort.js';

export const SERVICE_NAMES = ['orderservice', 'inventoryservice', 'notificationservice'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
}

/**
 * The three services as real processes (`node --import tsx src/main.ts`, what `npm start` runs), each on
 * a fixed port for the whole run so a restarted instance answers at the same address. Every start
 * appends to the service's log file. Only processes started here are ever signalled.
 */
export class ServiceRunner {
  private readonly running = new Map<ServiceName, Running>();
  private closed = false;

  constructor(
    private readonly root: string,
    private readonly logDir: string,
    private readonly ports: Record<ServiceName, number>,
    private readonly envFor: (name: ServiceName) => Record<string, string>,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  /** One free port per service, kept for the whole run. */
  async allocatePorts(): Promise<void> {
    for (const name of SERVICE_NAMES) this.ports[name] = await freePort();
  }

  url(name: ServiceName): string {
    return `http://127.0.0.1:${this.ports[name]}`;
  }

  logFile(name: ServiceName): string {
    return path.join(this.logDir, `${name}.log`);
  }

  async start(name: ServiceName, readyTimeoutMs = 90_000): Promise<void> {
    if (this.closed) throw new Error(`not starting ${name}: the run is being torn down`);
    if (this.running.has(name)) throw new Error(`${name} is already running`);
    const out = createWriteStream(this.logFile(name), { flags: 'a' });
    out.write(`{"chaos":"start ${name}","at":"${new Date().toISOString()}"}\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: path.join(this.root, name),
      env: { ...process.env, ...this.envFor(name), PORT: String(this.ports[name]), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(out, { end: false });
    child.stderr!.pipe(out, { end: false });
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        out.end();
        resolve();
      }),
    );
    this.running.set(name, { child, exited });
    try {
      await this.waitReady(name, readyTimeoutMs);
    } catch (err) {
      await this.kill(name);
      throw err;
    }
  }

  /** Polls /health/ready until 200 (MongoDB and Kafka reachable). */
  async waitReady(name: ServiceName, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const proc = this.running.get(name);
      if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) {
        throw new Error(`${name} is not running (exited during start-up?); see ${path.relative(this.root, this.logFile(name))}`);
      }
      try {
        const res = await fetch(`${this.url(name)}/health/ready`, { signal: AbortSignal.timeout(2_000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${name} not ready within ${timeoutMs / 1000} s; see ${path.relative(this.root, this.logFile(name))}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** SIGKILL: no graceful shutdown, no offset commit, no outbox flush — a crash. */
  async kill(name: ServiceName): Promise<void> {
    const proc = this.running.get(name);
    if (!proc) return;
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    await proc.exited;
    this.running.delete(name);
  }

  /** SIGTERM to every service (graceful shutdown), SIGKILL for any still running after the grace period. */
  async stopAll(graceMs = 15_000): Promise<void> {
    this.closed = true;
    await Promise.all(
      [...this.running.keys()].map(async (name) => {
        const proc = this.running.get(name)!;
        if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
        const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
        await proc.exited;
        clearTimeout(timer);
        this.running.delete(name);
      }),
    );
  }
}

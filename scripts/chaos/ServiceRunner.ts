import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { appendToFile, freePort, spawnService, waitForHealth, type ServiceName, type ServiceProcess } from '../lib/serviceProcess.js';

export type { ServiceName };
export const SERVICE_NAMES: readonly ServiceName[] = ['orderservice', 'inventoryservice', 'notificationservice'];

/**
 * The three services as real processes (`node --import tsx src/main.ts`, what `npm start` runs), each on
 * a fixed port for the whole run so a restarted instance answers at the same address. Every start
 * appends to the service's log file. Only processes started here are ever signalled.
 */
export class ServiceRunner {
  private readonly running = new Map<ServiceName, ServiceProcess>();
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
    const log = appendToFile(this.logFile(name));
    log(`{"chaos":"start ${name}","at":"${new Date().toISOString()}"}\n`);
    this.running.set(name, spawnService(name, this.ports[name], this.envFor(name), log));
    try {
      await this.waitReady(name, readyTimeoutMs);
    } catch (err) {
      await this.kill(name);
      throw err;
    }
  }

  /** Polls /health/ready until 200 (MongoDB and Kafka reachable). */
  async waitReady(name: ServiceName, timeoutMs: number): Promise<void> {
    const service = this.running.get(name);
    if (!service) throw new Error(`${name} is not running`);
    await waitForHealth(service, { timeoutMs, context: () => `see ${path.relative(this.root, this.logFile(name))}` });
  }

  /** SIGKILL: no graceful shutdown, no offset commit, no outbox flush — a crash. */
  async kill(name: ServiceName): Promise<void> {
    await this.running.get(name)?.kill();
    this.running.delete(name);
  }

  /** SIGTERM to every service (graceful shutdown), SIGKILL for any still running after the grace period. */
  async stopAll(graceMs = 15_000): Promise<void> {
    this.closed = true;
    await Promise.all(
      [...this.running].map(async ([name, service]) => {
        await service.stop(graceMs);
        this.running.delete(name);
      }),
    );
  }
}

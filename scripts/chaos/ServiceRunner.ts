import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { appendToFile, freePort, spawnService, waitForHealth, type ServiceName, type ServiceProcess } from '../lib/serviceProcess.js';

export type { ServiceName };
export const SERVICE_NAMES: readonly ServiceName[] = ['orderservice', 'inventoryservice', 'notificationservice'];

/** A running process: one of the three services, or a second instance of one (same database and consumer group). */
export type Instance = ServiceName | `${ServiceName}-standby`;
export const standbyOf = (name: ServiceName): Instance => `${name}-standby`;
const serviceOf = (instance: Instance): ServiceName => instance.replace(/-standby$/, '') as ServiceName;

/**
 * The three services as real processes (`node --import tsx src/main.ts`, what `npm start` runs), each on
 * a fixed port for the whole run so a restarted instance answers at the same address. Every start
 * appends to the instance's log file. Only processes started here are ever signalled.
 */
export class ServiceRunner {
  private readonly running = new Map<Instance, ServiceProcess>();
  private readonly paused = new Set<Instance>();
  private readonly started = new Set<Instance>();
  private closed = false;

  constructor(
    private readonly root: string,
    private readonly logDir: string,
    private readonly ports: Partial<Record<Instance, number>>,
    private readonly envFor: (name: ServiceName) => Record<string, string>,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  /** One free port per service, kept for the whole run. */
  async allocatePorts(): Promise<void> {
    for (const name of SERVICE_NAMES) this.ports[name] = await freePort();
  }

  url(instance: Instance): string {
    return `http://127.0.0.1:${this.ports[instance]}`;
  }

  logFile(instance: Instance): string {
    return path.join(this.logDir, `${instance}.log`);
  }

  /** Every log file an instance of this service wrote (the service's own and its standby's, if one ran). */
  logFilesOf(name: ServiceName): Array<{ instance: Instance; file: string }> {
    return [name, standbyOf(name)].map((instance) => ({ instance, file: this.logFile(instance) }));
  }

  async start(instance: Instance, readyTimeoutMs = 90_000): Promise<void> {
    if (this.closed) throw new Error(`not starting ${instance}: the run is being torn down`);
    if (this.running.has(instance)) throw new Error(`${instance} is already running`);
    this.ports[instance] ??= await freePort();
    const log = appendToFile(this.logFile(instance));
    log(`{"chaos":"start ${instance}","at":"${new Date().toISOString()}"}\n`);
    this.started.add(instance);
    this.running.set(instance, spawnService(serviceOf(instance), this.ports[instance], this.envFor(serviceOf(instance)), log));
    try {
      await this.waitReady(instance, readyTimeoutMs);
    } catch (err) {
      await this.kill(instance);
      throw err;
    }
  }

  runningInstances(): Instance[] {
    return [...this.running.keys()];
  }

  /** True once the instance was started in this run (its log file exists). */
  hasRun(instance: Instance): boolean {
    return this.started.has(instance);
  }

  /** Polls /health/ready until 200 (MongoDB and Kafka reachable). */
  async waitReady(instance: Instance, timeoutMs: number): Promise<void> {
    const service = this.running.get(instance);
    if (!service) throw new Error(`${instance} is not running`);
    await waitForHealth(service, { timeoutMs, context: () => `see ${path.relative(this.root, this.logFile(instance))}` });
  }

  /** SIGKILL: no graceful shutdown, no offset commit, no outbox flush — a crash. */
  async kill(instance: Instance): Promise<void> {
    this.resume(instance);
    await this.running.get(instance)?.kill();
    this.running.delete(instance);
  }

  /** SIGTERM (graceful shutdown: the consumer leaves its group), SIGKILL after the grace period. */
  async stop(instance: Instance, graceMs = 15_000): Promise<void> {
    this.resume(instance);
    await this.running.get(instance)?.stop(graceMs);
    this.running.delete(instance);
  }

  /** SIGSTOP: the process freezes — no heartbeat, no answer, sockets left open (a long GC pause, a frozen VM). */
  pause(instance: Instance): void {
    const pid = this.running.get(instance)?.child.pid;
    if (pid === undefined) throw new Error(`${instance} is not running`);
    process.kill(pid, 'SIGSTOP');
    this.paused.add(instance);
  }

  resume(instance: Instance): void {
    if (!this.paused.delete(instance)) return;
    const pid = this.running.get(instance)?.child.pid;
    if (pid !== undefined) process.kill(pid, 'SIGCONT');
  }

  /** SIGTERM to every instance (graceful shutdown), SIGKILL for any still running after the grace period. */
  async stopAll(graceMs = 15_000): Promise<void> {
    this.closed = true;
    for (const instance of [...this.paused]) this.resume(instance);
    await Promise.all([...this.running.keys()].map((instance) => this.stop(instance, graceMs)));
  }
}

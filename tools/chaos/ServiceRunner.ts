import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { freePort, spawnService, waitForHealth, type ServiceName, type ServiceProcess } from '../lib/serviceProcess.js';

export type { ServiceName };
export const SERVICE_NAMES: readonly ServiceName[] = ['orderservice', 'inventoryservice', 'notificationservice'];

/**
 * A running process: instance 1 of a service (named after it), instance n ≥ 2 (`orderservice-2`, `--instances`),
 * or consumer-freeze's standby. Every instance of a service shares its database and consumer group.
 */
export type Instance = ServiceName | `${ServiceName}-${number}` | `${ServiceName}-standby`;
export const standbyOf = (name: ServiceName): Instance => `${name}-standby`;
/** The `count` instances a run starts of a service: the service's own name first, then `name-2`, `name-3`, … */
export const instancesOf = (name: ServiceName, count: number): Instance[] =>
  Array.from({ length: count }, (_, i): Instance => (i === 0 ? name : `${name}-${i + 1}`));
const serviceOf = (instance: Instance): ServiceName => instance.replace(/-(standby|\d+)$/, '') as ServiceName;

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
  private count = 1;

  constructor(
    private readonly logDir: string,
    private readonly ports: Partial<Record<Instance, number>>,
    private readonly envFor: (name: ServiceName) => Record<string, string>,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  /** One free port per instance (`count` of each service), kept for the whole run. */
  async allocatePorts(count = 1): Promise<void> {
    this.count = count;
    for (const name of SERVICE_NAMES) for (const instance of instancesOf(name, count)) this.ports[instance] = await freePort();
  }

  /** The instances of a service this run keeps running (`--instances`), the service's own name first. */
  instances(name: ServiceName): Instance[] {
    return instancesOf(name, this.count);
  }

  url(instance: Instance): string {
    return `http://127.0.0.1:${this.ports[instance]}`;
  }

  logFile(instance: Instance): string {
    return path.join(this.logDir, `${instance}.log`);
  }

  /** Every log file an instance of this service wrote (each of its instances' and its standby's, if one ran). */
  logFilesOf(name: ServiceName): Array<{ instance: Instance; file: string }> {
    return [...this.instances(name), standbyOf(name)].map((instance) => ({ instance, file: this.logFile(instance) }));
  }

  async start(instance: Instance, readyTimeoutMs = 90_000): Promise<void> {
    if (this.closed) throw new Error(`not starting ${instance}: the run is being torn down`);
    if (this.running.has(instance)) throw new Error(`${instance} is already running`);
    this.ports[instance] ??= await freePort();
    const logFile = this.logFile(instance);
    appendFileSync(logFile, `{"chaos":"start ${instance}","at":"${new Date().toISOString()}"}\n`);
    this.started.add(instance);
    // Registered before it is ready, so a teardown meanwhile (Ctrl-C) stops it too.
    this.running.set(
      instance,
      spawnService(serviceOf(instance), { port: this.ports[instance], env: this.envFor(serviceOf(instance)), logFile }),
    );
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
    await waitForHealth(service, { timeoutMs });
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

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Component } from './component.js';
import type { MongoBackend, StackOptions } from './config.js';
import { KafkaBroker } from './kafkaBroker.js';
import { backendOfCommandLine, MongoServer } from './mongoServer.js';
import type { ManagedProcess } from './processes.js';
import { commandLine, isPortTaken, isProcessAlive, logTail, runningPid, startDetached, stopProcess } from './processes.js';

export interface ComponentStatus {
  name: string;
  address: string;
  state: 'running' | 'stopped' | 'external';
  pid?: number;
  logFile?: string;
  /** The database's storage (mongo only, when this stack runs it): what the running process was started with. */
  backend?: MongoBackend;
}

export interface UpResult {
  kafkaBrokers: string;
  dbUrl: string;
  /** Components this call started (and so the caller may stop); empty when all were already running or external. */
  started: string[];
}

/**
 * The project's own Kafka + MongoDB-compatible server, run as plain JVM processes.
 * Components named by an environment override (KAFKA_BROKERS, DB_URL) are used, never started.
 */
export class LocalStack {
  readonly kafka: KafkaBroker;
  readonly mongo: MongoServer;

  constructor(
    private readonly opts: StackOptions,
    private readonly external: { kafkaBrokers?: string; dbUrl?: string } = {},
    private readonly log: (line: string) => void = (line) => console.log(`[stack] ${line}`),
  ) {
    this.kafka = new KafkaBroker(opts);
    this.mongo = new MongoServer(opts);
  }

  private get managed(): Component[] {
    return [
      ...(this.external.kafkaBrokers ? [] : [this.kafka]),
      ...(this.external.dbUrl ? [] : [this.mongo]),
    ];
  }

  private processOf(component: Component): ManagedProcess {
    return {
      name: component.name,
      pidFile: path.join(this.opts.stateDir, 'run', `${component.name}.pid`),
      logFile: path.join(this.opts.stateDir, 'logs', `${component.name}.log`),
      marker: this.opts.stateDir,
    };
  }

  get kafkaBrokers(): string {
    return this.external.kafkaBrokers ?? this.kafka.address;
  }

  get dbUrl(): string {
    return this.external.dbUrl ?? this.mongo.url;
  }

  async up(): Promise<UpResult> {
    mkdirSync(path.join(this.opts.stateDir, 'run'), { recursive: true });
    mkdirSync(path.join(this.opts.stateDir, 'logs'), { recursive: true });
    if (this.external.kafkaBrokers) this.log(`KAFKA_BROKERS=${this.external.kafkaBrokers}: using that Kafka, not starting one`);
    if (this.external.dbUrl) this.log('DB_URL is set: using that database, not starting one');

    const toStart: Component[] = [];
    for (const component of this.managed) {
      const pid = runningPid(this.processOf(component));
      if (pid !== undefined) {
        const backend = component === this.mongo ? this.backendOf(pid) : undefined;
        if (backend !== undefined && backend !== this.mongo.backend) {
          throw new Error(
            `mongo: already running (pid ${pid}) with the ${backend} backend, not ${this.mongo.backend}. ` +
              `Stop it first (npm run stack:down), or use another STACK_MONGO_PORT and LOCAL_STACK_DIR for a second stack.`,
          );
        }
        this.log(`${component.name}: already running (pid ${pid}) on ${component.address}${backend ? `, ${backend} backend` : ''}`);
        continue;
      }
      for (const port of component.ports) {
        if (await isPortTaken(port, this.opts.host)) {
          throw new Error(
            `${component.name}: port ${this.opts.host}:${port} is already in use by another process that this stack did not start. ` +
              `Stop that process, or point ${component.name === 'kafka' ? 'KAFKA_BROKERS' : 'DB_URL'} at it to use it instead.`,
          );
        }
      }
      toStart.push(component);
    }

    // Downloads and compilation happen one after the other so their progress lines stay readable.
    for (const component of toStart) await component.prepare(this.log);
    for (const component of toStart) {
      const { command, args } = component.command();
      const proc = this.processOf(component);
      const pid = startDetached(proc, command, args, this.opts.stateDir);
      this.log(`${component.name}: started (pid ${pid}), log: ${proc.logFile}`);
    }
    await Promise.all(this.managed.map((component) => this.waitUntilReady(component)));
    for (const component of this.managed) this.log(`${component.name}: ready on ${component.address}`);
    return { kafkaBrokers: this.kafkaBrokers, dbUrl: this.dbUrl, started: toStart.map((c) => c.name) };
  }

  async down(only?: string[]): Promise<string[]> {
    const stopped: string[] = [];
    // Kafka first: a broker shutting down still writes to its own files, not to the database.
    for (const component of this.managed) {
      if (only && !only.includes(component.name)) continue;
      if (await stopProcess(this.processOf(component))) {
        this.log(`${component.name}: stopped`);
        stopped.push(component.name);
      } else {
        this.log(`${component.name}: was not running (nothing started by this stack)`);
      }
    }
    return stopped;
  }

  status(): ComponentStatus[] {
    const external: ComponentStatus[] = [
      ...(this.external.kafkaBrokers ? [{ name: 'kafka', address: this.external.kafkaBrokers, state: 'external' as const }] : []),
      ...(this.external.dbUrl ? [{ name: 'mongo', address: '(DB_URL)', state: 'external' as const }] : []),
    ];
    const local = this.managed.map((component): ComponentStatus => {
      const proc = this.processOf(component);
      const pid = runningPid(proc);
      const backend = component === this.mongo && pid !== undefined ? this.backendOf(pid) : undefined;
      return { name: component.name, address: component.address, state: pid === undefined ? 'stopped' : 'running', pid, logFile: proc.logFile, ...(backend ? { backend } : {}) };
    });
    return [...local, ...external];
  }

  private backendOf(pid: number): MongoBackend | undefined {
    const cmd = commandLine(pid);
    return cmd === undefined ? undefined : backendOfCommandLine(cmd);
  }

  private async waitUntilReady(component: Component): Promise<void> {
    const proc = this.processOf(component);
    const deadline = Date.now() + this.opts.readyTimeoutMs;
    while (Date.now() < deadline) {
      if (await component.isReady()) return;
      const pid = runningPid(proc);
      if (pid === undefined || !isProcessAlive(pid)) {
        throw new Error(`${component.name}: the process exited before it became ready. Last lines of ${proc.logFile}:\n${logTail(proc.logFile)}`);
      }
      await sleep(250);
    }
    throw new Error(
      `${component.name}: not ready on ${component.address} after ${this.opts.readyTimeoutMs / 1000}s. Last lines of ${proc.logFile}:\n${logTail(proc.logFile)}`,
    );
  }
}

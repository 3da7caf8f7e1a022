import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Component } from './component.js';
import type { MongoBackend, StackOptions } from './config.js';
import { KafkaBroker } from './kafkaBroker.js';
import { backendOfCommandLine, MongoServer } from './mongoServer.js';
import type { ManagedProcess } from './processes.js';
import { commandLine, isPortTaken, isProcessAlive, killProcess, logTail, runningPid, startDetached, stopProcess } from './processes.js';

export interface ComponentStatus {
  name: string;
  address: string;
  state: 'running' | 'stopped' | 'external';
  pid?: number;
  logFile?: string;
  /** A Kafka node of the other shape (three brokers while one was asked about, or the reverse). */
  otherShape?: boolean;
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
  /** One node (`kafka`) or three (`kafka-1`…`kafka-3`), by `StackOptions.kafkaNodes`. */
  readonly kafkaNodes: KafkaBroker[];
  readonly mongo: MongoServer;

  constructor(
    private readonly opts: StackOptions,
    private readonly external: { kafkaBrokers?: string; dbUrl?: string } = {},
    private readonly log: (line: string) => void = (line) => console.log(`[stack] ${line}`),
  ) {
    this.kafkaNodes = Array.from({ length: opts.kafkaNodes }, (_, i) => new KafkaBroker(opts, i + 1));
    this.mongo = new MongoServer(opts);
  }

  private get managed(): Component[] {
    return [...(this.external.kafkaBrokers ? [] : this.kafkaNodes), ...(this.external.dbUrl ? [] : [this.mongo])];
  }

  private processOf(component: Pick<Component, 'name'>): ManagedProcess {
    return {
      name: component.name,
      pidFile: path.join(this.opts.stateDir, 'run', `${component.name}.pid`),
      logFile: path.join(this.opts.stateDir, 'logs', `${component.name}.log`),
      marker: this.opts.stateDir,
    };
  }

  /**
   * Kafka nodes of this state folder that run in the other shape (a cluster's `kafka-2` while this
   * stack is asked for one broker, or the single `kafka` while asked for three): up refuses to start
   * beside them, down and status include them, so `stack:down` stops whatever runs.
   */
  private otherShapeKafka(): ManagedProcess[] {
    if (this.external.kafkaBrokers) return [];
    const runDir = path.join(this.opts.stateDir, 'run');
    if (!existsSync(runDir)) return [];
    const ours = new Set(this.kafkaNodes.map((node) => node.name));
    return readdirSync(runDir)
      .map((file) => /^(kafka(?:-\d+)?)\.pid$/.exec(file)?.[1])
      .filter((name): name is string => name !== undefined && !ours.has(name))
      .sort()
      .map((name) => this.processOf({ name }))
      .filter((proc) => runningPid(proc) !== undefined);
  }

  /** Where a node of the other shape listens, by the derived ports (`kafka` and `kafka-1` on kafkaPort, `kafka-n` 2(n-1) above). */
  private derivedAddress(name: string): string {
    const n = Number(/^kafka-(\d+)$/.exec(name)?.[1] ?? 1);
    return `${this.opts.host}:${this.opts.kafkaPort + 2 * (n - 1)}`;
  }

  /** Comma-separated host:port of every broker. */
  get kafkaBrokers(): string {
    return this.external.kafkaBrokers ?? this.kafkaNodes.map((node) => node.address).join(',');
  }

  get dbUrl(): string {
    return this.external.dbUrl ?? this.mongo.url;
  }

  async up(): Promise<UpResult> {
    mkdirSync(path.join(this.opts.stateDir, 'run'), { recursive: true });
    mkdirSync(path.join(this.opts.stateDir, 'logs'), { recursive: true });
    if (this.external.kafkaBrokers) this.log(`KAFKA_BROKERS=${this.external.kafkaBrokers}: using that Kafka, not starting one`);
    if (this.external.dbUrl) this.log('DB_URL is set: using that database, not starting one');
    const other = this.otherShapeKafka();
    if (other.length > 0) {
      throw new Error(
        `Kafka of this stack already runs as ${other.map((p) => p.name).join(', ')} (${other.length === 1 ? 'one broker' : `${other.length} brokers`}), ` +
          `not as the ${this.kafkaNodes.length === 1 ? 'single broker' : `${this.kafkaNodes.length}-broker cluster`} asked for. Stop it first: npm run stack:down`,
      );
    }

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
              `Stop that process, or point ${component.name.startsWith('kafka') ? 'KAFKA_BROKERS' : 'DB_URL'} at it to use it instead.`,
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
    const procs = [...this.otherShapeKafka(), ...this.managed.map((component) => this.processOf(component))].filter(
      (proc) => !only || only.includes(proc.name),
    );
    const stopOne = async (proc: ManagedProcess): Promise<boolean> => {
      const wasRunning = await stopProcess(proc);
      this.log(wasRunning ? `${proc.name}: stopped` : `${proc.name}: was not running (nothing started by this stack)`);
      return wasRunning;
    };
    // Kafka first: a broker shutting down still writes to its own files, not to the database. The nodes
    // of a cluster stop together: one after the other, the last would wait for a quorum that is gone.
    const kafka = procs.filter((proc) => proc.name.startsWith('kafka'));
    const kafkaStopped = await Promise.all(kafka.map(stopOne));
    const stopped = kafka.filter((_, i) => kafkaStopped[i]).map((proc) => proc.name);
    for (const proc of procs.filter((p) => !kafka.includes(p))) if (await stopOne(proc)) stopped.push(proc.name);
    return stopped;
  }

  /** SIGKILL (a crash: no clean shutdown) of the named components this stack started; returns those it killed. */
  async kill(names: string[]): Promise<string[]> {
    const killed: string[] = [];
    for (const component of this.managed.filter((c) => names.includes(c.name))) {
      if (await killProcess(this.processOf(component))) killed.push(component.name);
    }
    return killed;
  }

  /** The pid of a running component of this stack. */
  pidOf(name: string): number | undefined {
    return runningPid(this.processOf({ name }));
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
      return {
        name: component.name,
        address: component.address,
        state: pid === undefined ? 'stopped' : 'running',
        pid,
        logFile: proc.logFile,
        ...(backend ? { backend } : {}),
      };
    });
    const other = this.otherShapeKafka().map((proc): ComponentStatus => ({
      name: proc.name,
      address: this.derivedAddress(proc.name),
      state: 'running',
      pid: runningPid(proc),
      logFile: proc.logFile,
      otherShape: true,
    }));
    // A cluster that runs while one broker was asked about (or the reverse) is what status shows.
    const shown = other.length > 0 ? local.filter((row) => !(row.name.startsWith('kafka') && row.state === 'stopped')) : local;
    return [...other, ...shown, ...external];
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
        throw new Error(
          `${component.name}: the process exited before it became ready. Last lines of ${proc.logFile}:\n${logTail(proc.logFile)}`,
        );
      }
      await sleep(250);
    }
    throw new Error(
      `${component.name}: not ready on ${component.address} after ${this.opts.readyTimeoutMs / 1000}s. Last lines of ${proc.logFile}:\n${logTail(proc.logFile)}`,
    );
  }
}

import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { defaultStackOptions } from '../../infra/local/lib/config.js';
import { LocalStack } from '../../infra/local/lib/LocalStack.js';
import { runningPid } from '../../infra/local/lib/processes.js';
import { freePort } from '../lib/serviceProcess.js';

/**
 * A Kafka broker and MongoDB-compatible server of this run alone (own state folder, free ports; the
 * jars come from the shared cache), so stopping the broker never disturbs the stack other work uses.
 */
export class ChaosStack {
  /** The last start in progress; teardown waits for it, so a broker being started is stopped too. */
  private starting: Promise<void> = Promise.resolve();
  private closed = false;
  /** The database's pid while it is paused (SIGSTOP), so teardown can always let it go on. */
  private pausedMongo: number | undefined;

  private constructor(
    readonly stack: LocalStack,
    private readonly stateDir: string,
  ) {}

  static async create(stateDir: string, log: (line: string) => void): Promise<ChaosStack> {
    const options = {
      ...defaultStackOptions(),
      stateDir,
      kafkaPort: await freePort(),
      kafkaControllerPort: await freePort(),
      mongoPort: await freePort(),
    };
    return new ChaosStack(new LocalStack(options, {}, log), stateDir);
  }

  get kafkaBrokers(): string {
    return this.stack.kafkaBrokers;
  }

  dbUrl(database: string): string {
    const url = new URL(this.stack.dbUrl);
    url.pathname = `/${database}`;
    return url.toString();
  }

  up(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the private stack is being torn down'));
    const started = this.stack.up().then(() => undefined);
    this.starting = started.catch(() => undefined);
    return started;
  }

  async stopKafka(): Promise<void> {
    await this.stack.down(['kafka']);
  }

  /** Clean stop of the database (SIGTERM: it flushes and closes its file, so the data is kept). */
  async stopMongo(): Promise<void> {
    await this.stack.down(['mongo']);
  }

  /** The java process of this stack's mongo-java-server (from the stack's own pid file, never by name). */
  mongoPid(): number {
    const pid = runningPid({ name: 'mongo', pidFile: path.join(this.stateDir, 'run', 'mongo.pid'), logFile: path.join(this.stateDir, 'logs', 'mongo.log'), marker: this.stateDir });
    if (pid === undefined) throw new Error('the private stack has no running mongo process');
    return pid;
  }

  /** SIGSTOP: the database hangs — connections stay open, nothing is answered (a frozen VM, a long GC pause). */
  pauseMongo(): void {
    const pid = this.mongoPid();
    process.kill(pid, 'SIGSTOP');
    this.pausedMongo = pid;
  }

  resumeMongo(): void {
    if (this.pausedMongo === undefined) return;
    process.kill(this.pausedMongo, 'SIGCONT');
    this.pausedMongo = undefined;
  }

  /** Starts what is stopped (the broker or the database, on the same ports and data) and waits until it is ready. */
  startAgain(): Promise<void> {
    return this.up();
  }

  /** Stops both servers; keeps their logs beside the services' logs and removes the data. */
  async destroy(logDir: string): Promise<void> {
    this.closed = true;
    try {
      this.resumeMongo();
    } catch {
      // already gone
    }
    await this.starting;
    await this.stack.down();
    const logs = path.join(this.stateDir, 'logs');
    if (existsSync(logs)) cpSync(logs, logDir, { recursive: true });
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

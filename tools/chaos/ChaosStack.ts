import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { KafkaNodeCount } from '../../infra/local/lib/config.js';
import { LocalStack } from '../../infra/local/lib/LocalStack.js';
import { partitionLeaders } from '../../infra/local/lib/partitionLeaders.js';
import { privateStackOptions } from '../../infra/local/lib/privateStack.js';
import { runningPid } from '../../infra/local/lib/processes.js';

/** Which broker (node id) leads each partition, keyed `topic/partition`. */
export type LeaderMap = Map<string, number>;

/**
 * A Kafka broker (or a three-node cluster, `--brokers 3`: the same stack code `npm run stack:up --
 * --brokers 3` runs) and MongoDB-compatible server of this run alone (own state folder, free ports;
 * the jars come from the shared cache), so stopping a broker never disturbs the stack other work uses.
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

  static async create(stateDir: string, log: (line: string) => void, brokers: KafkaNodeCount = 1): Promise<ChaosStack> {
    return new ChaosStack(new LocalStack(await privateStackOptions(stateDir, { kafkaNodes: brokers }), {}, log), stateDir);
  }

  /** Comma-separated host:port of every broker. */
  get kafkaBrokers(): string {
    return this.stack.kafkaBrokers;
  }

  /** The stack's Kafka nodes: `kafka` alone, or `kafka-1`…`kafka-3` (node id n is `kafka-n`). */
  get brokerNames(): string[] {
    return this.stack.kafkaNodes.map((node) => node.name);
  }

  brokerName(nodeId: number): string {
    const node = this.stack.kafkaNodes.find((n) => n.nodeId === nodeId);
    if (!node) throw new Error(`no Kafka node ${nodeId} in this stack`);
    return node.name;
  }

  /**
   * The leader of every partition of `topics`, from the metadata a live broker answers. Retried: a
   * seed broker that is down, or a cluster still electing, fails one look, not the run.
   */
  async leaders(topics: string[], attempts = 10): Promise<LeaderMap> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { topics: described } = await partitionLeaders(this.kafkaBrokers, topics);
        return new Map(described.flatMap((t) => t.partitions.map((p): [string, number] => [`${t.topic}/${p.partition}`, p.leader])));
      } catch (err) {
        if (attempt >= attempts) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** SIGKILL of one Kafka node (a crash: no controlled shutdown, its leaderships are lost, not handed over). */
  async killBroker(name: string): Promise<void> {
    const killed = await this.stack.kill([name]);
    if (!killed.includes(name)) throw new Error(`${name} was not running: nothing killed`);
  }

  /** Clean stop (SIGTERM: a controlled shutdown that hands its leaderships over) of one Kafka node. */
  async stopBroker(name: string): Promise<void> {
    await this.stack.down([name]);
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

  /** Stops every Kafka node (the whole cluster, when there are three). */
  async stopKafka(): Promise<void> {
    await this.stack.down(this.brokerNames);
  }

  /** Clean stop of the database (SIGTERM: it flushes and closes its file, so the data is kept). */
  async stopMongo(): Promise<void> {
    await this.stack.down(['mongo']);
  }

  /** The java process of this stack's mongo-java-server (from the stack's own pid file, never by name). */
  mongoPid(): number {
    const pid = runningPid({
      name: 'mongo',
      pidFile: path.join(this.stateDir, 'run', 'mongo.pid'),
      logFile: path.join(this.stateDir, 'logs', 'mongo.log'),
      marker: this.stateDir,
    });
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

  /** Starts what is stopped (brokers or the database, on the same ports and data) and waits until all are ready. */
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

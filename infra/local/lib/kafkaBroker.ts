import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaNodePorts, StackOptions } from './config.js';
import { INFRA_DIR, kafkaNodePorts } from './config.js';
import { ensureJars } from './jars.js';
import type { Component } from './component.js';

/**
 * One Apache Kafka 3.9 node in KRaft mode: a JVM that is both broker and controller. A stack runs one
 * (`kafka`, node 1, the layout it always had) or three (`kafka-1`…`kafka-3`, the three voters of one
 * controller quorum, each with its own data folder, sharing one cluster id).
 */
export class KafkaBroker implements Component {
  readonly name: string;
  private readonly jarsDir: string;
  private readonly dataDir: string;
  private readonly propertiesFile: string;
  private readonly nodes: KafkaNodePorts[];

  constructor(
    private readonly opts: StackOptions,
    /** 1-based. */
    readonly nodeId = 1,
  ) {
    this.nodes = kafkaNodePorts(opts);
    if (nodeId < 1 || nodeId > this.nodes.length) throw new Error(`no Kafka node ${nodeId} in a stack of ${this.nodes.length}`);
    const single = this.nodes.length === 1;
    this.name = single ? 'kafka' : `kafka-${nodeId}`;
    this.jarsDir = path.join(opts.cacheDir, 'jars', 'kafka');
    this.dataDir = path.join(opts.stateDir, 'data', this.name);
    this.propertiesFile = path.join(opts.stateDir, `${this.name}-server.properties`);
  }

  private get own(): KafkaNodePorts {
    return this.nodes[this.nodeId - 1]!;
  }

  get ports(): number[] {
    return [this.own.port, this.own.controllerPort];
  }

  get address(): string {
    return `${this.opts.host}:${this.own.port}`;
  }

  async prepare(log: (line: string) => void): Promise<void> {
    await ensureJars('kafka', path.join(INFRA_DIR, 'kafka.pom.xml'), this.jarsDir, log);
    mkdirSync(this.dataDir, { recursive: true });
    writeFileSync(this.propertiesFile, this.serverProperties());
    if (!existsSync(path.join(this.dataDir, 'meta.properties'))) this.formatStorage(log);
  }

  command(): { command: string; args: string[] } {
    return {
      command: 'java',
      args: [
        '-Xms256m',
        '-Xmx1g',
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-Djava.awt.headless=true',
        `-Dlog4j.configuration=file:${path.join(INFRA_DIR, 'log4j.properties')}`,
        '-cp',
        path.join(this.jarsDir, '*'),
        'kafka.Kafka',
        this.propertiesFile,
      ],
    };
  }

  /** Ready when this node answers a metadata request that lists every broker of the stack. */
  async isReady(): Promise<boolean> {
    const admin = new Kafka({
      clientId: 'local-stack-probe',
      brokers: [this.address],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length === this.nodes.length && cluster.controller !== null;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private formatStorage(log: (line: string) => void): void {
    const clusterId = this.clusterId();
    log(`${this.name}: formatting storage in ${this.dataDir} (cluster ${clusterId})`);
    const result = spawnSync(
      'java',
      [
        '-cp',
        path.join(this.jarsDir, '*'),
        `-Dlog4j.configuration=file:${path.join(INFRA_DIR, 'log4j.properties')}`,
        'kafka.tools.StorageTool',
        'format',
        '--config',
        this.propertiesFile,
        `--cluster-id=${clusterId}`,
        '--ignore-formatted',
      ],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) {
      throw new Error(`${this.name}: formatting storage failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
    }
  }

  /** A single node draws its own; the nodes of a cluster share one, kept beside their data folders. */
  private clusterId(): string {
    if (this.nodes.length === 1) return newClusterId();
    const file = path.join(this.opts.stateDir, 'data', 'kafka-cluster.id');
    if (!existsSync(file)) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, newClusterId());
    }
    return readFileSync(file, 'utf8').trim();
  }

  /** The server.properties of this node (written on every start). */
  serverProperties(): string {
    const { host } = this.opts;
    const { port, controllerPort } = this.own;
    const voters = this.nodes.map((node, i) => `${i + 1}@${host}:${node.controllerPort}`).join(',');
    const header = [
      '# Written by infra/local/stack.ts on every start; edit that file, not this one.',
      'process.roles=broker,controller',
      `node.id=${this.nodeId}`,
      `controller.quorum.voters=${voters}`,
      `listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://${host}:${port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${this.dataDir}`,
      // Topics come from the services' provisioner, never from a typo in a producer.
      'auto.create.topics.enable=false',
      'num.partitions=3',
    ];
    // Three nodes: every partition (the internal offsets and transaction topics too) on all three, and
    // an acks=all write needs two of them, so one node can die without losing a write or refusing one.
    const replication =
      this.nodes.length === 1
        ? [
            'offsets.topic.replication.factor=1',
            'offsets.topic.num.partitions=10',
            'transaction.state.log.replication.factor=1',
            'transaction.state.log.min.isr=1',
            'min.insync.replicas=1',
          ]
        : [
            'default.replication.factor=3',
            'offsets.topic.replication.factor=3',
            'offsets.topic.num.partitions=10',
            'transaction.state.log.replication.factor=3',
            'transaction.state.log.min.isr=2',
            'min.insync.replicas=2',
            'unclean.leader.election.enable=false',
          ];
    return [
      ...header,
      ...replication,
      // A dev broker has no reason to delay the first rebalance of a group.
      'group.initial.rebalance.delay.ms=0',
      'log.retention.hours=168',
      'log.segment.bytes=104857600',
      '',
    ].join('\n');
  }
}

/**
 * A Kafka cluster id: 16 random bytes, base64url without padding. Like Kafka's own
 * Uuid.randomUuid, never one that starts with '-': the storage tool's argument parser would
 * read it as an option (1 start in 64 did, and the format failed).
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { StackOptions } from './config.js';
import { INFRA_DIR } from './config.js';
import { ensureJars } from './jars.js';
import type { Component } from './component.js';

/** Apache Kafka 3.9 in KRaft mode: one JVM that is both broker and controller. */
export class KafkaBroker implements Component {
  readonly name = 'kafka';
  private readonly jarsDir: string;
  private readonly dataDir: string;
  private readonly propertiesFile: string;

  constructor(private readonly opts: StackOptions) {
    this.jarsDir = path.join(opts.cacheDir, 'jars', 'kafka');
    this.dataDir = path.join(opts.stateDir, 'data', 'kafka');
    this.propertiesFile = path.join(opts.stateDir, 'kafka-server.properties');
  }

  get ports(): number[] {
    return [this.opts.kafkaPort, this.opts.kafkaControllerPort];
  }

  get address(): string {
    return `${this.opts.host}:${this.opts.kafkaPort}`;
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

  /** Ready when the broker answers a metadata request. */
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
      return cluster.brokers.length > 0 && cluster.controller !== null;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private formatStorage(log: (line: string) => void): void {
    const clusterId = newClusterId();
    log(`kafka: formatting storage in ${this.dataDir} (cluster ${clusterId})`);
    const result = spawnSync(
      'java',
      ['-cp', path.join(this.jarsDir, '*'), `-Dlog4j.configuration=file:${path.join(INFRA_DIR, 'log4j.properties')}`,
        'kafka.tools.StorageTool', 'format', '--config', this.propertiesFile, `--cluster-id=${clusterId}`, '--ignore-formatted'],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) {
      throw new Error(`kafka: formatting storage failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
    }
  }

  private serverProperties(): string {
    const { host, kafkaPort, kafkaControllerPort } = this.opts;
    return [
      '# Written by infra/local/stack.ts on every start; edit that file, not this one.',
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@${host}:${kafkaControllerPort}`,
      `listeners=PLAINTEXT://${host}:${kafkaPort},CONTROLLER://${host}:${kafkaControllerPort}`,
      `advertised.listeners=PLAINTEXT://${host}:${kafkaPort}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${this.dataDir}`,
      // Topics come from the services' provisioner, never from a typo in a producer.
      'auto.create.topics.enable=false',
      'num.partitions=3',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=10',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'min.insync.replicas=1',
      // A single-node dev broker has no reason to delay the first rebalance of a group.
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

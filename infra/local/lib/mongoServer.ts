import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import type { Component } from './component.js';
import type { StackOptions } from './config.js';
import { INFRA_DIR } from './config.js';
import { ensureJars } from './jars.js';

const LAUNCHER_SOURCE = path.join(INFRA_DIR, 'MongoLauncher.java');

/** mongo-java-server with the H2 backend: speaks the MongoDB wire protocol, stores to one file. */
export class MongoServer implements Component {
  readonly name = 'mongo';
  private readonly jarsDir: string;
  private readonly launcherDir: string;
  private readonly dataFile: string;

  constructor(private readonly opts: StackOptions) {
    this.jarsDir = path.join(opts.cacheDir, 'jars', 'mongo');
    this.launcherDir = path.join(opts.cacheDir, 'launcher');
    this.dataFile = path.join(opts.stateDir, 'data', 'mongo', 'db.mv');
  }

  get ports(): number[] {
    return [this.opts.mongoPort];
  }

  get address(): string {
    return `${this.opts.host}:${this.opts.mongoPort}`;
  }

  get url(): string {
    return `mongodb://${this.address}`;
  }

  async prepare(log: (line: string) => void): Promise<void> {
    await ensureJars('mongo', path.join(INFRA_DIR, 'mongo.pom.xml'), this.jarsDir, log);
    mkdirSync(path.dirname(this.dataFile), { recursive: true });
    this.compileLauncher(log);
  }

  command(): { command: string; args: string[] } {
    return {
      command: 'java',
      args: [
        '-Xms128m',
        '-Xmx1g',
        '-XX:+UseG1GC',
        '-cp',
        `${path.join(this.jarsDir, '*')}${path.delimiter}${this.launcherDir}`,
        'MongoLauncher',
        this.opts.host,
        String(this.opts.mongoPort),
        this.dataFile,
      ],
    };
  }

  /** Ready when a ping is answered. */
  async isReady(): Promise<boolean> {
    const client = new MongoClient(this.url, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000, directConnection: true });
    try {
      await client.connect();
      const reply = await client.db('admin').command({ ping: 1 });
      return reply.ok === 1;
    } catch {
      return false;
    } finally {
      await client.close().catch(() => undefined);
    }
  }

  /** Compiled once per launcher version, so each start is a plain `java` call. */
  private compileLauncher(log: (line: string) => void): void {
    const marker = path.join(this.launcherDir, '.source-sha256');
    const wanted = createHash('sha256').update(readFileSync(LAUNCHER_SOURCE)).digest('hex');
    if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted) return;
    log('mongo: compiling MongoLauncher.java');
    mkdirSync(this.launcherDir, { recursive: true });
    const result = spawnSync('javac', ['-cp', path.join(this.jarsDir, '*'), '-d', this.launcherDir, LAUNCHER_SOURCE], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`mongo: compiling the launcher failed:\n${result.stdout}${result.stderr}`);
    writeFileSync(marker, wanted);
  }
}

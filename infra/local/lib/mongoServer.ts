import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import type { Component } from './component.js';
import type { MongoBackend, StackOptions } from './config.js';
import { INFRA_DIR, MONGO_BACKENDS } from './config.js';
import { ensureJars } from './jars.js';

const LAUNCHER_SOURCE = path.join(INFRA_DIR, 'MongoLauncher.java');
const POM = path.join(INFRA_DIR, 'mongo.pom.xml');

const sha256 = (...files: string[]): string => {
  const hash = createHash('sha256');
  for (const file of files) hash.update(readFileSync(file));
  return hash.digest('hex');
};

/**
 * mongo-java-server: speaks the MongoDB wire protocol; stores to one file (H2 backend, the default)
 * or keeps everything in memory (STACK_MONGO_BACKEND=memory).
 */
export class MongoServer implements Component {
  readonly name = 'mongo';
  private readonly jarsDir: string;
  private readonly launcherDir: string;
  private readonly dataFile: string;

  constructor(private readonly opts: StackOptions) {
    // Jars and the compiled launcher live in folders named after their inputs, so checkouts with
    // different versions (worktrees sharing one cache) never overwrite each other's while running.
    const pomHash = sha256(POM).slice(0, 12);
    this.jarsDir = path.join(opts.cacheDir, 'jars', `mongo-${pomHash}`);
    this.launcherDir = path.join(opts.cacheDir, 'launchers', sha256(POM, LAUNCHER_SOURCE).slice(0, 12));
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

  get backend(): MongoBackend {
    return this.opts.mongoBackend;
  }

  async prepare(log: (line: string) => void): Promise<void> {
    await ensureJars('mongo', POM, this.jarsDir, log);
    mkdirSync(path.dirname(this.dataFile), { recursive: true });
    this.compileLauncher(log);
  }

  command(): { command: string; args: string[] } {
    const storage = this.opts.mongoBackend === 'memory' ? ['memory'] : ['h2', this.dataFile];
    return {
      command: 'java',
      args: [
        '-Xms128m',
        // The memory backend holds every document on the heap.
        this.opts.mongoBackend === 'memory' ? '-Xmx6g' : '-Xmx1g',
        '-XX:+UseG1GC',
        // Names the stack on the command line (the pid check looks for it; the memory backend has no data file there).
        `-Dlocalstack.dir=${this.opts.stateDir}`,
        '-cp',
        `${path.join(this.jarsDir, '*')}${path.delimiter}${this.launcherDir}`,
        'MongoLauncher',
        this.opts.host,
        String(this.opts.mongoPort),
        ...storage,
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
    if (existsSync(path.join(this.launcherDir, 'MongoLauncher.class'))) return;
    log('mongo: compiling MongoLauncher.java');
    // Compiled beside the target and renamed into place: a concurrent start never sees half a launcher.
    const staging = `${this.launcherDir}.partial-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const result = spawnSync('javac', ['-cp', path.join(this.jarsDir, '*'), '-d', staging, LAUNCHER_SOURCE], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`mongo: compiling the launcher failed:\n${result.stdout}${result.stderr}`);
    writeFileSync(path.join(staging, '.source-sha256'), sha256(LAUNCHER_SOURCE));
    try {
      renameSync(staging, this.launcherDir);
    } catch (err) {
      // Another start compiled the same source first: theirs is as good as ours.
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(path.join(this.launcherDir, 'MongoLauncher.class'))) throw err;
    }
  }
}

/** The backend a running launcher was started with, read from its command line (undefined if not ours). */
export function backendOfCommandLine(commandLine: string): MongoBackend | undefined {
  const args = commandLine.split(/\s+/);
  const at = args.indexOf('MongoLauncher');
  if (at < 0) return undefined;
  const named = args[at + 3];
  if ((MONGO_BACKENDS as readonly string[]).includes(named ?? '')) return named as MongoBackend;
  // Launchers before the backend argument took HOST PORT FILE: always H2.
  return args[at + 3] !== undefined ? 'h2' : undefined;
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServiceProcess {
  name: string;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** Starts a service as `npm start` would (node + tsx), logs to a file, and waits for /health/ready. */
export async function startServiceProcess(name: string, port: number, env: Record<string, string>, logDir: string): Promise<ServiceProcess> {
  mkdirSync(logDir, { recursive: true });
  const out = createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: path.join(ROOT, name),
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited during start-up; see ${path.join(logDir, `${name}.log`)}`);
    try {
      if ((await fetch(`${url}/health/ready`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 60_000) throw new Error(`${name} not ready within 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name,
    url,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/** A one-line progress display that rewrites itself on a terminal and prints sparingly otherwise. */
export function progress(label: string): { update(text: string): void; done(text: string): void } {
  let last = 0;
  return {
    update(text) {
      if (process.stdout.isTTY) process.stdout.write(`\r  ${label}: ${text}\x1b[K`);
      else if (Date.now() - last > 2_000) {
        last = Date.now();
        console.log(`  ${label}: ${text}`);
      }
    },
    done(text) {
      if (process.stdout.isTTY) process.stdout.write(`\r  ${label}: ${text}\x1b[K\n`);
      else console.log(`  ${label}: ${text}`);
    },
  };
}

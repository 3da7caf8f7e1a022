import path from 'node:path';
import { appendToFile, REPO_ROOT, spawnService, waitForHealth, type ServiceName, type ServiceProcess } from '../../lib/serviceProcess.js';

export const ROOT = REPO_ROOT;
export type { ServiceProcess };

/** Starts a service (as `npm start` would), logging to `<logDir>/<name>.log`, and waits for /health/ready. */
export async function startServiceProcess(
  name: ServiceName,
  port: number,
  env: Record<string, string>,
  logDir: string,
  root = REPO_ROOT,
): Promise<ServiceProcess> {
  const logFile = path.join(logDir, `${name}.log`);
  const service = spawnService(name, port, env, appendToFile(logFile), root);
  await waitForHealth(service, { context: () => `see ${logFile}` });
  return service;
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

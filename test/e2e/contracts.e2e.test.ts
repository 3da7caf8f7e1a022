import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY } from '../support/http.js';
import { uniqueName } from '../support/infra.js';
import { TEST_JWT_SECRET } from '../support/customerTokens.js';
import { isolatedTopicsEnv, startService, type RunningService, type ServiceName } from '../support/services.js';

/**
 * Contract test: schemathesis (PyPI) reads each running service's /docs/openapi.json and sends what the
 * document allows and what it forbids, with every check it has — among them: no 5xx, statuses,
 * headers and bodies as documented, schema-valid requests accepted, schema-invalid ones refused,
 * undeclared methods answered 405 with Allow, and a stateful phase that follows the document's
 * links (POST /api/orders → read, cancel, timeline, status). No check is excluded.
 */
const SCHEMATHESIS_VERSION = '4.32';
const INSTALL_HINT = `python3 -m pip install 'schemathesis==${SCHEMATHESIS_VERSION}.*' (.ci/run installs it)`;
/** Test cases per operation and phase: enough to meet every rule of the documents, small enough for ~20-40 s per service on 2 cores. */
const MAX_EXAMPLES = Number(process.env.SCHEMATHESIS_EXAMPLES ?? 60);
const SEED = process.env.SCHEMATHESIS_SEED;

interface Run {
  code: number | null;
  output: string;
}

function schemathesis(args: string[], cwd: string, timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    // `python3 -m` finds the package wherever pip put it, with or without the `st` script on PATH.
    const child = spawn('python3', ['-m', 'schemathesis.cli', ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run python3 (${error.message}); install Python 3 and ${INSTALL_HINT}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The first number after `label` in schemathesis' summary, e.g. "API Links:    11 covered". */
const figure = (output: string, pattern: RegExp): number => Number(pattern.exec(output)?.[1] ?? Number.NaN);

describe('the OpenAPI documents against the running services (schemathesis, all checks)', () => {
  const prefix = uniqueName('contracts');
  const env = {
    ...isolatedTopicsEnv(prefix),
    // Every generated request must reach the handlers, not the rate limiter.
    RATE_LIMIT_MAX: '100000000',
    LOG_LEVEL: 'warn',
    // Long-polls of this instance last at most 1 s, and its document says so: schemathesis still tries
    // every timeoutMs the document allows, without 30 s waits.
    ORDER_MAX_WAIT_MS: '1000',
    // Production rules: customer-scoped routes refuse anonymous callers, as their documented security says
    // (schemathesis checks that a request without credentials is refused). Its requests carry the admin key.
    NODE_ENV: 'production',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
  };
  const services = {} as Record<ServiceName, RunningService>;
  const workDir = mkdtempSync(path.join(tmpdir(), 'schemathesis-'));

  beforeAll(async () => {
    const version = await schemathesis(['--version'], workDir, 60_000);
    if (version.code !== 0 || !version.output.includes(`version ${SCHEMATHESIS_VERSION}.`)) {
      throw new Error(
        `schemathesis ${SCHEMATHESIS_VERSION}.x is needed for this test and is not installed: ${INSTALL_HINT}\n${version.output.trim()}`,
      );
    }
    [services.orderservice, services.inventoryservice, services.notificationservice] = await Promise.all([
      startService('orderservice', { dbName: uniqueName('contracts-orderdb'), env }),
      startService('inventoryservice', { dbName: uniqueName('contracts-inventorydb'), env }),
      startService('notificationservice', { dbName: uniqueName('contracts-notificationdb'), env }),
    ]);
  });

  afterAll(async () => {
    await Promise.all(Object.values(services).map((s) => s.stop()));
    rmSync(workDir, { recursive: true, force: true });
  });

  it.each<ServiceName>(['orderservice', 'inventoryservice', 'notificationservice'])(
    '%s: no failure in any phase',
    { timeout: 240_000 },
    async (name) => {
      const service = services[name];
      const args = [
        'run',
        `${service.url}/docs/openapi.json`,
        '--checks',
        'all',
        // The admin routes are exercised too; schemathesis' auth checks still send them without and with a wrong key.
        '--header',
        `X-Api-Key: ${ADMIN_KEY}`,
        '--max-examples',
        String(MAX_EXAMPLES),
        // A slow moment of a shared 2-core machine is not a contract failure; a long-poll lasts at most 1 s here.
        '--request-timeout',
        '20',
        '--generation-database',
        'none',
        '--no-color',
        ...(SEED ? ['--seed', SEED] : []),
      ];

      const run = await schemathesis(args, workDir, 230_000);

      const tail = run.output.split('\n').slice(-150).join('\n');
      expect(run.code, `schemathesis reported failures for ${name} (replay with SCHEMATHESIS_SEED=<Seed below>):\n${tail}`).toBe(0);
      expect(run.output).toMatch(/No issues found|\d+ warnings? in/);
      expect(figure(run.output, /(\d+) generated/), 'test cases generated').toBeGreaterThan(100);
      if (name === 'orderservice') {
        // The stateful phase followed the links from POST /api/orders.
        expect(figure(run.output, /API Links:\s+(\d+) covered/), tail).toBeGreaterThanOrEqual(4);
      }
    },
  );
});

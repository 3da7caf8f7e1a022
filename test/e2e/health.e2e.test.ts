import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitForHealth } from '../../tools/lib/serviceProcess.js';
import { http } from '../support/http.js';
import { kafkaBrokers, uniqueName } from '../support/infra.js';
import { privateStack } from '../support/privateStack.js';
import { isolatedTopicsEnv, startService, type RunningService, type ServiceName } from '../support/services.js';

describe('each service as a process', () => {
  const running: RunningService[] = [];
  afterAll(async () => {
    await Promise.all(running.map((s) => s.kill()));
  });

  it.each<ServiceName>(['orderservice', 'inventoryservice', 'notificationservice'])(
    '%s starts, reports live and ready with its dependencies, and exits 0 on SIGTERM',
    async (name) => {
      const service = await startService(name, { dbName: uniqueName(name), env: isolatedTopicsEnv(uniqueName('health')) });
      running.push(service);

      const live = await http('GET', `${service.url}/health/live`);
      const ready = await http('GET', `${service.url}/health/ready`);

      expect(live.status).toBe(200);
      expect(live.headers.get('x-correlation-id')).toBeTruthy();
      expect(ready.body).toEqual({ status: 'ready', checks: { mongodb: 'up', kafka: 'up' } });
      expect(await service.stop()).toBe(0);
    },
  );

  it('stays live but answers 503 on /health/ready while its database is unreachable', async () => {
    const service = await startService('orderservice', {
      dbName: 'unused',
      env: { DB_URL: 'mongodb://127.0.0.1:1/orderdb', ...isolatedTopicsEnv(uniqueName('health')) },
      waitFor: 'live',
    });
    running.push(service);

    const ready = await http('GET', `${service.url}/health/ready`);

    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'not_ready', checks: { mongodb: 'down' } });
    expect((await http('GET', `${service.url}/health/live`)).status).toBe(200);
  });

  it('becomes ready by itself once its database comes up later', { timeout: 180_000 }, async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'late-db-'));
    const lateDb = await privateStack(stateDir, { kafkaBrokers: kafkaBrokers().join(',') });
    try {
      const service = await startService('orderservice', {
        dbName: 'unused',
        env: { DB_URL: `${lateDb.dbUrl}/orderdb`, ...isolatedTopicsEnv(uniqueName('health')) },
        waitFor: 'live',
      });
      running.push(service);
      expect((await http('GET', `${service.url}/health/ready`)).status).toBe(503);

      await lateDb.up();

      await waitForHealth(service, { timeoutMs: 60_000 });
      const res = await http('GET', `${service.url}/health/ready`);
      expect(res.body).toEqual({ status: 'ready', checks: { mongodb: 'up', kafka: 'up' } });
    } finally {
      await lateDb.down();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

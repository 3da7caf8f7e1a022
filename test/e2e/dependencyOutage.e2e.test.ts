import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/lib/LocalStack.js';
import { request } from '../../tools/lib/http.js';
import { dbUrl, kafkaBrokers, uniqueName } from '../support/infra.js';
import { privateStack } from '../support/privateStack.js';
import { isolatedTopicsEnv, startService, type RunningService } from '../support/services.js';

const order = { customerId: 'outage-1', items: [{ productId: '1', quantity: 1, price: 9.99 }] };

/** POST with a client deadline: `answered: false` when the service said nothing in time. */
async function placeOrder(url: string, deadlineMs: number): Promise<{ answered: boolean; status?: number; body?: any; ms: number }> {
  const outcome = await request('POST', `${url}/api/orders`, order, {}, deadlineMs);
  return outcome.kind === 'response'
    ? { answered: true, status: outcome.status, body: outcome.body, ms: outcome.ms }
    : { answered: false, ms: outcome.ms };
}

const pidOf = (stack: LocalStack, component: 'mongo' | 'kafka'): number => stack.status().find((c) => c.name === component)!.pid!;

/** SPEC §5: a request that needs a dependency that is down or hung answers 503 within a few seconds, never hangs. */
describe('dependency outages, seen from a client', () => {
  const running: RunningService[] = [];
  afterAll(async () => {
    await Promise.all(running.map((s) => s.kill()));
  });

  describe('a hung database (SIGSTOP)', () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'hung-db-'));
    let stack: LocalStack;
    let service: RunningService;

    beforeAll(async () => {
      stack = await privateStack(stateDir, { kafkaBrokers: kafkaBrokers().join(',') });
      await stack.up();
      service = await startService('orderservice', {
        dbName: 'unused',
        env: { DB_URL: `${stack.dbUrl}/orderdb`, ...isolatedTopicsEnv(uniqueName('hung-db')) },
      });
      running.push(service);
    }, 180_000);
    afterAll(async () => {
      try {
        process.kill(pidOf(stack, 'mongo'), 'SIGCONT');
      } catch {
        // already gone
      }
      await stack.down();
      rmSync(stateDir, { recursive: true, force: true });
    });

    it('POST /api/orders answers 503 DEPENDENCY.UNAVAILABLE within 5 s, and 201 again once the database is back', async () => {
      expect((await placeOrder(service.url, 10_000)).status).toBe(201);
      const mongoPid = pidOf(stack, 'mongo');

      process.kill(mongoPid, 'SIGSTOP');
      let during: Awaited<ReturnType<typeof placeOrder>>;
      try {
        during = await placeOrder(service.url, 5_000);
      } finally {
        process.kill(mongoPid, 'SIGCONT');
      }

      expect(during.answered, `no answer within 5 s (waited ${during.ms} ms)`).toBe(true);
      expect(during.status).toBe(503);
      expect(during.body).toEqual({ success: false, error: { code: 'DEPENDENCY.UNAVAILABLE', message: expect.any(String) } });
      const deadline = Date.now() + 20_000;
      let after = await placeOrder(service.url, 5_000);
      while (after.status !== 201 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        after = await placeOrder(service.url, 5_000);
      }
      expect(after.status).toBe(201);
    }, 60_000);
  });

  describe('Kafka down at shutdown', () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'kafka-down-'));
    let stack: LocalStack;

    beforeAll(async () => {
      stack = await privateStack(stateDir, { dbUrl: dbUrl() });
      await stack.up();
    }, 180_000);
    afterAll(async () => {
      await stack.down();
      rmSync(stateDir, { recursive: true, force: true });
    });

    it('SIGTERM exits 0 within 10 s and leaves what it could not publish in the outbox', async () => {
      const dbName = uniqueName('kafka-down');
      const service = await startService('orderservice', {
        dbName,
        env: { KAFKA_BROKERS: stack.kafkaBrokers, ...isolatedTopicsEnv(uniqueName('kafka-down')) },
      });
      running.push(service);
      await stack.down(['kafka']);
      const accepted = await placeOrder(service.url, 10_000);
      expect(accepted.status).toBe(201); // the request never waits for Kafka

      const code = await service.stop();

      // 0, not 1: the shutdown exits 1 when its steps take longer than 10 s.
      expect(code).toBe(0);
      const { MongoClient } = await import('mongodb');
      const client = await MongoClient.connect(dbUrl());
      try {
        const stored = await client.db(dbName).collection('orders').findOne({ _id: accepted.body.data.id });
        expect(stored?.outbox).toHaveLength(1); // OrderPlaced kept for the next start
      } finally {
        await client.close();
      }
    }, 90_000);
  });
});

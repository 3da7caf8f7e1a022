import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { leaderChanges, stallReport } from '../../tools/chaos/faults.js';
import { LoadGenerator } from '../../tools/chaos/LoadGenerator.js';
import { warningsIn } from '../../tools/chaos/logWarnings.js';
import { parseOptions } from '../../tools/chaos/options.js';
import { freePort } from '../../tools/lib/serviceProcess.js';

interface Seen {
  method: string;
  url: string;
  key: string | undefined;
}

/** A stand-in service on loopback: records each request; `answer` decides the status (201 for a new order by default). */
async function fakeService(
  answer: (req: http.IncomingMessage) => number = () => 0,
): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, key: req.headers['idempotency-key'] as string | undefined });
      const forced = answer(req);
      if (forced < 0) {
        req.socket.destroy(); // no answer: the connection is reset
        return;
      }
      const status = forced || (req.method === 'POST' && req.url === '/api/orders' ? 201 : 200);
      const data = req.url!.startsWith('/api/inventory')
        ? { available: 1 }
        : { id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, status: 'CONFIRMED' };
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ success: status < 300, data }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const load = (ordersUrls: string[], inventoryUrls: string[], idempotencyKeyPrefix?: string) =>
  new LoadGenerator({
    ordersUrls,
    inventoryUrls,
    idempotencyKeyPrefix,
    adminKey: 'k',
    products: ['p1', 'p2', 'p3'],
    rate: 200,
    seed: 7,
    maxOrders: 6,
    restockEveryMs: 60_000,
    restockUnits: 1,
  });

describe('chaos load generator with several order-service instances', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  it('re-sends an order the dead instance did not take to the other one, with the same Idempotency-Key, and loses none', async () => {
    const live = await fakeService();
    closers.push(live.close);
    const dead = `http://127.0.0.1:${await freePort()}`; // nothing listens: connection refused
    const gen = load([dead, live.url], [live.url], 'run1');
    await gen.run(() => false);

    const posts = live.seen.filter((s) => s.method === 'POST' && s.url === '/api/orders');
    expect(posts.map((p) => p.key).sort()).toEqual(['run1-0', 'run1-1', 'run1-2', 'run1-3', 'run1-4', 'run1-5']);
    // Orders 0, 2, 4 went to the dead instance first (round-robin) and were re-sent once each.
    expect(gen.failover.retried.order).toBe(3);
    expect(gen.counters.orders).toMatchObject({ sent: 6, ok: 6, failed: 0 });
    expect(gen.accepted).toHaveLength(6);
    expect([...gen.acceptedByKey.keys()].sort()).toEqual([...gen.keysSent].sort());
    const orderSamples = gen.samples.filter((s) => s.kind === 'order');
    expect(orderSamples.filter((s) => s.outcome === 'error')).toHaveLength(3);
    expect(orderSamples.filter((s) => s.retry)).toEqual(expect.arrayContaining([expect.objectContaining({ outcome: 201, retry: true })]));
    expect(orderSamples.filter((s) => s.retry)).toHaveLength(3);
  });

  it('re-sends after a 503 too, and counts a 200 Idempotent-Replayed answer as the order accepted', async () => {
    const busy = await fakeService((req) => (req.method === 'POST' && req.url === '/api/orders' ? 503 : 0));
    const replaying = await fakeService((req) => (req.method === 'POST' && req.url === '/api/orders' ? 200 : 0));
    closers.push(busy.close, replaying.close);
    const gen = load([busy.url, replaying.url], [replaying.url], 'run2');
    await gen.run(() => false);

    const placements = (seen: Seen[]) => seen.filter((s) => s.method === 'POST' && s.url === '/api/orders').map((s) => s.key);
    const keysAtBusy = placements(busy.seen);
    const keysAtOther = placements(replaying.seen);
    // Every order the busy instance refused reached the other with its own key.
    expect(keysAtBusy.length).toBe(3);
    for (const key of keysAtBusy) expect(keysAtOther).toContain(key);
    expect(gen.failover).toMatchObject({ ordersReplayed: 6 });
    expect(gen.counters.orders).toMatchObject({ sent: 6, ok: 6, failed: 0, refused: {} });
  });

  it('goes round the instances again while none answers, and the order still lands once under its key', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    let placements = 0;
    // Resets the first two placements it sees (the one instance alive does not answer either), then answers.
    const flaky = await fakeService((req) => (req.method === 'POST' && req.url === '/api/orders' && ++placements <= 2 ? -1 : 0));
    closers.push(flaky.close);
    const gen = new LoadGenerator({
      ordersUrls: [dead, flaky.url],
      inventoryUrls: [flaky.url],
      idempotencyKeyPrefix: 'run3',
      adminKey: 'k',
      products: ['p1'],
      rate: 1,
      seed: 3,
      maxOrders: 1,
      restockEveryMs: 60_000,
      restockUnits: 1,
    });
    await gen.run(() => false);

    const keys = flaky.seen.filter((s) => s.method === 'POST' && s.url === '/api/orders').map((s) => s.key);
    expect(keys).toEqual(['run3-0', 'run3-0', 'run3-0']);
    expect(gen.counters.orders).toMatchObject({ sent: 1, ok: 1, failed: 0 });
    expect(gen.samples.filter((s) => s.kind === 'order').map((s) => s.outcome)).toEqual(['error', 'error', 'error', 'error', 'error', 201]); // dead, reset, dead, reset, dead, answered
  });

  it('with one instance sends no key and retries nothing: a dead instance costs the order, as it always did', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const inventory = await fakeService();
    closers.push(inventory.close);
    const gen = load([dead], [inventory.url]);
    await gen.run(() => false);

    expect(gen.counters.orders).toMatchObject({ sent: 6, ok: 0, failed: 6 });
    expect(gen.failover.retried.order).toBe(0);
    expect(gen.keysSent.size).toBe(0);
    expect(gen.samples.some((s) => s.retry)).toBe(false);
  });
});

describe('chaos options: --instances and --brokers', () => {
  it('defaults to one instance on one broker, without the cluster-only faults', () => {
    const o = parseOptions([], '/tmp');
    expect(o).toMatchObject({ instances: 1, brokers: 1 });
    expect(o.faults).not.toContain('leader-kill');
    expect(o.faults).not.toContain('broker-stop-long');
  });

  it('several instances on three brokers: the instance kills, the leader kill and the long broker stop at 10 orders/s; one instance: every fault; --quick: an instance kill and a leader kill', () => {
    expect(parseOptions(['--instances', '2', '--brokers', '3'], '/tmp')).toMatchObject({
      rate: 10,
      faults: ['kill-orderservice', 'kill-inventoryservice', 'kill-notificationservice', 'leader-kill', 'broker-stop-long'],
    });
    expect(parseOptions(['--brokers', '3'], '/tmp').faults).toEqual(
      expect.arrayContaining(['leader-kill', 'broker-stop-long', 'broker-restart', 'oversize-burst']),
    );
    expect(parseOptions(['--quick', '--instances', '2', '--brokers', '3'], '/tmp')).toMatchObject({
      instances: 2,
      brokers: 3,
      faults: ['kill-orderservice', 'leader-kill'],
    });
  });

  it('refuses a cluster fault on one broker, an unknown broker count and a bad instance count', () => {
    expect(() => parseOptions(['--faults', 'leader-kill'], '/tmp')).toThrow(/needs a cluster \(--brokers 3\)/);
    expect(() => parseOptions(['--brokers', '2'], '/tmp')).toThrow(/must be 1 or 3/);
    expect(() => parseOptions(['--instances', '0'], '/tmp')).toThrow(/positive/);
    expect(() => parseOptions(['--instances', '9'], '/tmp')).toThrow(/at most 4/);
  });
});

describe('leader changes', () => {
  it('counts the partitions whose leader differs between two looks', () => {
    const before = new Map([
      ['t/0', 1],
      ['t/1', 2],
      ['t/2', 3],
      ['gone/0', 1],
    ]);
    const after = new Map([
      ['t/0', 2],
      ['t/1', 2],
      ['t/2', 1],
    ]);
    expect(leaderChanges(before, after)).toBe(2);
  });
});

describe('warnings in a service log (the stall report)', () => {
  it('counts warn and error lines inside the window and names the most frequent first', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chaos-log-'));
    const file = path.join(dir, 'service.log');
    const line = (level: string, at: string, msg: string) => JSON.stringify({ level, time: at, msg });
    writeFileSync(
      file,
      [
        line('warn', '2026-12-03T10:00:00.000Z', 'before the window'),
        line('info', '2026-12-03T10:00:05.000Z', 'Joined consumer group'),
        line('warn', '2026-12-03T10:00:06.000Z', 'Outbox publish failed; will retry'),
        line('error', '2026-12-03T10:00:07.000Z', 'Handler failed'),
        line('warn', '2026-12-03T10:00:08.000Z', 'Outbox publish failed; will retry'),
        'not json "level":"warn"',
        line('warn', '2026-12-03T10:01:00.000Z', 'after the window'),
      ].join('\n'),
    );
    try {
      const from = Date.parse('2026-12-03T10:00:01.000Z');
      const to = Date.parse('2026-12-03T10:00:30.000Z');
      expect(warningsIn(file, from, to)).toEqual({
        count: 3,
        top: [
          { msg: 'Outbox publish failed; will retry', times: 2 },
          { msg: 'Handler failed', times: 1 },
        ],
      });
      expect(warningsIn(path.join(dir, 'missing.log'), from, to)).toEqual({ count: 0, top: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the stall report (a fault after which no saga completed)', () => {
  it('says what became of the orders, the outboxes, the lag and the warnings, and what could not be read', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chaos-stall-'));
    const file = path.join(dir, 'inventoryservice.log');
    writeFileSync(file, JSON.stringify({ level: 'warn', time: new Date().toISOString(), msg: 'Handler failed; will retry' }));
    const observer = {
      ordersByOutcome: async () => ({ PENDING: 40, 'CANCELLED/TIMEOUT': 12 }),
      outboxDocuments: async () => ({ orders: 3, ordersParked: 0, reservations: 0, reservationsParked: 0 }),
      consumerLagByGroup: async () => {
        throw new Error('The coordinator is not available');
      },
    };
    const services = {
      logFilesOf: (name: string) => (name === 'inventoryservice' ? [{ instance: 'inventoryservice', file }] : []),
      hasRun: () => true,
    };
    try {
      const report = await stallReport(
        { observer, services, groups: [] } as unknown as Parameters<typeof stallReport>[0],
        Date.now() - 60_000,
        Date.now() - 30_000,
      );
      expect(report).toEqual({
        ordersPlacedSinceLift: { PENDING: 40, 'CANCELLED/TIMEOUT': 12 },
        outboxDocuments: { orders: 3, ordersParked: 0, reservations: 0, reservationsParked: 0 },
        consumerLag: 'unavailable: Error: The coordinator is not available',
        warnings: { inventoryservice: { count: 1, top: ['1× Handler failed; will retry'] } },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

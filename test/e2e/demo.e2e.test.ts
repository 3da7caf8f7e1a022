import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isPortTaken } from '../../infra/local/lib/processes.js';
import { eventually } from '../../tools/lib/eventually.js';
import { http } from '../support/http.js';
import { dbUrl, kafkaBrokers } from '../support/infra.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A --port-offset whose three service ports nobody listens on, below the kernel's ephemeral range (32768+). */
async function freePortOffset(): Promise<number> {
  for (;;) {
    const offset = 10_000 + Math.floor(Math.random() * 19_000);
    const taken = await Promise.all([3001, 3002, 3003].map((port) => isPortTaken(port + offset)));
    if (!taken.includes(true)) return offset;
  }
}

type Notified = { eventType: string; channel: string; status: string; recipient?: string };

/** The order's notifications once OrderPlaced and OrderConfirmed are settled on both channels (at most 30 s). */
function notifiedOf(notificationsUrl: string, orderId: string): Promise<Notified[]> {
  return eventually(
    async () => (await http<{ data: Notified[] }>('GET', `${notificationsUrl}/api/notifications?orderId=${orderId}`)).body.data,
    (data) => data.length === 4 && data.every((n) => n.status !== 'PENDING'),
    `notifications of ${orderId} settled`,
    30_000,
    200,
  );
}

/**
 * The README's run-everything command (tools/dev/demo.ts behind `npm run demo`): it brings the three
 * services up, the sample orders end as described, smoke.sh passes against the running platform,
 * the task file's curl notifies customer "123" by email and SMS, and Ctrl-C stops everything it started.
 */
describe('npm run demo', () => {
  it('runs the sample orders as described, passes the smoke test, and stops cleanly on Ctrl-C', { timeout: 240_000 }, async () => {
    const offset = await freePortOffset();
    const demo = spawn(process.execPath, ['--import', 'tsx', 'tools/dev/demo.ts', '--isolated', '--port-offset', String(offset)], {
      cwd: ROOT,
      // The test stack stands in for the local stack the demo would otherwise start.
      env: { ...process.env, KAFKA_BROKERS: kafkaBrokers().join(','), DB_URL: dbUrl() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    demo.stdout.on('data', (d: Buffer) => (output += d.toString()));
    demo.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));

    const deadline = Date.now() + 180_000;
    while (!output.includes('4/4 Running')) {
      if (demo.exitCode !== null || Date.now() > deadline) throw new Error(`demo did not get to 'Running':\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(output).toMatch(/order A: CONFIRMED — as expected/);
    expect(output).toMatch(/order B: CANCELLED \(INSUFFICIENT_STOCK\) — as expected/);
    expect(output).toMatch(/order C: CANCELLED \(CUSTOMER_REQUEST\) — as expected/);
    expect(output).toMatch(/inventoryservice\s+InventoryReleased/);
    expect(output).toMatch(/notificationservice email SENT\s+for OrderConfirmed/);

    const smoke = spawnSync('bash', ['tools/dev/smoke.sh'], {
      cwd: ROOT,
      env: { ...process.env, ORDER_URL: `http://127.0.0.1:${3001 + offset}`, INVENTORY_URL: `http://127.0.0.1:${3003 + offset}` },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(smoke.stdout + smoke.stderr).toContain('Smoke test passed.');
    expect(smoke.status).toBe(0);

    // The task file's curl, as is: the seeded demo contacts of customer "123" get email and SMS.
    const orders = `http://127.0.0.1:${3001 + offset}`;
    const placed = await fetch(`${orders}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"customerId":"123","items":[{"productId":"1","quantity":2,"price":29.99}]}',
    });
    expect(placed.status).toBe(201);
    const { data: order } = (await placed.json()) as { data: { id: string } };
    const settled = await http('GET', `${orders}/api/orders/${order.id}?waitFor=CONFIRMED,CANCELLED&timeoutMs=20000`);
    expect(settled.body.data.status).toBe('CONFIRMED');
    const sent = await notifiedOf(`http://127.0.0.1:${3002 + offset}`, order.id);
    expect(sent.map((n) => `${n.eventType}/${n.channel}/${n.status}/${n.recipient}`).sort()).toEqual([
      'OrderConfirmed/email/SENT/ada@example.com',
      'OrderConfirmed/sms/SENT/+15550100',
      'OrderPlaced/email/SENT/ada@example.com',
      'OrderPlaced/sms/SENT/+15550100',
    ]);

    demo.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toMatch(/orderservice stopped/);
    await expect(fetch(`http://127.0.0.1:${3001 + offset}/health/live`)).rejects.toThrow();
  });
});

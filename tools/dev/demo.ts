/**
 * npm run demo — the whole platform on this machine, no Docker: local stack, three services,
 * a few sample orders with their saga printed as it happens. Ctrl-C stops everything it started.
 * Options: --no-orders (just run the platform), --exit (stop after the demo; exit 1 if a sample order
 * did not end as expected), --port-offset N (ports 3001+N…), --isolated (fresh databases and topics).
 */
import path from 'node:path';
import { DEV_ADMIN_API_KEY } from '@orderplatform/shared/config';
import { TOPICS } from '@orderplatform/shared/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { defaultStackOptions } from '../../infra/local/lib/config.js';
import { LocalStack } from '../../infra/local/lib/LocalStack.js';
import { http, postJson } from '../lib/http.js';
import { REPO_ROOT, spawnService, waitForHealth, type ServiceName, type ServiceProcess } from '../lib/serviceProcess.js';

const ROOT = REPO_ROOT;
const LOG_DIR = path.join(ROOT, '.cache', 'logs');
const argv = process.argv.slice(2);
const args = new Set(argv);
const offsetArg = argv.indexOf('--port-offset');
const PORT_OFFSET = offsetArg >= 0 ? Number(argv[offsetArg + 1]) : 0;
const RUN_SUFFIX = args.has('--isolated') ? `_${Date.now().toString(36)}` : '';
let unexpected = 0;
const ADMIN_API_KEY = process.env.ADMIN_API_KEY ?? DEV_ADMIN_API_KEY;

const SERVICES = [
  { name: 'orderservice', port: 3001 + PORT_OFFSET },
  { name: 'notificationservice', port: 3002 + PORT_OFFSET },
  { name: 'inventoryservice', port: 3003 + PORT_OFFSET },
] as const;
const urlOf = (name: (typeof SERVICES)[number]['name']) => `http://127.0.0.1:${SERVICES.find((s) => s.name === name)!.port}`;
const TOPICS_ENV = RUN_SUFFIX
  ? { ORDER_EVENTS_TOPIC: `demo${RUN_SUFFIX}.order-events`, INVENTORY_EVENTS_TOPIC: `demo${RUN_SUFFIX}.inventory-events` }
  : {};
const ORDER_TOPIC = TOPICS_ENV.ORDER_EVENTS_TOPIC ?? TOPICS.orderEvents;
const INVENTORY_TOPIC = TOPICS_ENV.INVENTORY_EVENTS_TOPIC ?? TOPICS.inventoryEvents;

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const say = (s: string) => console.log(s);

const children: ServiceProcess[] = [];
let stack: LocalStack | undefined;
let startedComponents: string[] = [];
let stopping = false;

async function main(): Promise<void> {
  say(bold('1/4 Local stack (Kafka + MongoDB-compatible server)'));
  stack = new LocalStack(defaultStackOptions(), { kafkaBrokers: process.env.KAFKA_BROKERS, dbUrl: process.env.DB_URL }, (line) =>
    say(`    ${line}`),
  );
  const up = await stack.up();
  startedComponents = up.started;

  say(bold('2/4 Services'));
  await Promise.all(SERVICES.map((s) => startService(s.name, s.port, up.kafkaBrokers, up.dbUrl)));

  if (!args.has('--no-orders')) {
    say(bold('3/4 Sample orders — the saga as it happens'));
    await runSampleOrders(up.kafkaBrokers);
  }

  say(bold('4/4 Running'));
  for (const s of SERVICES)
    say(
      `    ${s.name.padEnd(20)} http://127.0.0.1:${s.port}   (/health/ready, /metrics, /docs)  log: ${path.relative(ROOT, logFile(s.name))}`,
    );
  say(`    admin key (X-Api-Key): ${ADMIN_API_KEY}`);
  say(
    `    try: curl -s -X POST localhost:${3001 + PORT_OFFSET}/api/orders -H 'Content-Type: application/json' -d '{"customerId":"123","items":[{"productId":"1","quantity":2,"price":29.99}]}'`,
  );
  if (args.has('--exit')) return shutdown(unexpected === 0 ? 0 : 1);
  say(dim('    Ctrl-C stops the services and the stack this command started.'));
}

const logFile = (name: string) => path.join(LOG_DIR, `${name}.log`);

async function startService(name: ServiceName, port: number, kafkaBrokers: string, dbUrl: string): Promise<void> {
  const db = { orderservice: 'orderdb', inventoryservice: 'inventorydb', notificationservice: 'notificationdb' }[name];
  const url = new URL(dbUrl);
  url.pathname = `/${db}${RUN_SUFFIX}`;
  const service = spawnService(name, {
    port,
    env: { ...TOPICS_ENV, KAFKA_BROKERS: kafkaBrokers, DB_URL: url.toString(), ADMIN_API_KEY },
    logFile: logFile(name),
  });
  children.push(service);
  void service.exited.then((code) => {
    if (!stopping) {
      say(`    ${name} exited (${code ?? service.child.signalCode}); see ${logFile(name)}`);
      void shutdown(1);
    }
  });
  const started = Date.now();
  await waitForHealth(service);
  say(`    ${name} ready on :${port} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

interface SampleOrder {
  label: string;
  body: unknown;
  expect: string;
  cancelAfterConfirm?: boolean;
}

async function runSampleOrders(kafkaBrokers: string): Promise<void> {
  const kafka = new Kafka({ clientId: 'demo-watch', brokers: kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const watcher = kafka.consumer({ groupId: `demo-watch-${Date.now()}`, maxWaitTimeInMs: 100 });
  const placedAt = new Map<string, { t0: number; label: string }>();
  await watcher.connect();
  await watcher.subscribe({ topics: [ORDER_TOPIC, INVENTORY_TOPIC], fromBeginning: false });
  let assigned!: () => void;
  const ready = new Promise<void>((r) => (assigned = r));
  watcher.on(watcher.events.GROUP_JOIN, () => assigned());
  await watcher.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value!.toString()) as {
        eventType: string;
        source: string;
        data: { orderId: string; reason?: string };
      };
      const order = placedAt.get(event.data.orderId);
      if (!order) return;
      const ms = Date.now() - order.t0;
      say(
        `    ${dim(`+${String(ms).padStart(4)} ms`)}  ${order.label.padEnd(10)} ${event.source.padEnd(17)} ${event.eventType}${event.data.reason ? ` (${event.data.reason})` : ''}`,
      );
    },
  });
  await ready;

  const stock2 = (await http<{ data: { available: number } }>('GET', `${urlOf('inventoryservice')}/api/inventory/2`)).body;
  const samples: SampleOrder[] = [
    {
      label: 'order A',
      body: {
        customerId: '123',
        items: [{ productId: '1', quantity: 2, price: 29.99 }],
        customer: { email: 'ada@example.com', phone: '+15550100' },
      },
      expect: 'CONFIRMED',
    },
    {
      label: 'order B',
      body: {
        customerId: '456',
        items: [{ productId: '2', quantity: Math.min(1000, stock2.data.available + 1), price: 5 }],
        customer: { email: 'bob@example.com' },
      },
      expect: 'CANCELLED',
    },
    {
      label: 'order C',
      body: { customerId: '789', items: [{ productId: '3', quantity: 1, price: 12.5 }], customer: { phone: '+15550199' } },
      expect: 'CANCELLED',
      cancelAfterConfirm: true,
    },
  ];
  for (const sample of samples) {
    const t0 = Date.now();
    const res = await postJson<{ data: { id: string } }>(`${urlOf('orderservice')}/api/orders`, sample.body);
    const { data } = res.body;
    placedAt.set(data.id, { t0, label: sample.label });
    say(
      `    ${dim(`+${String(Date.now() - t0).padStart(4)} ms`)}  ${sample.label.padEnd(10)} ${'shop → POST'.padEnd(17)} /api/orders → ${res.status} ${data.id}`,
    );
    let order = await waitFor(data.id, 'CONFIRMED,CANCELLED');
    if (sample.cancelAfterConfirm && order.status === 'CONFIRMED') {
      await new Promise((r) => setTimeout(r, 300));
      say(
        `    ${dim(`+${String(Date.now() - t0).padStart(4)} ms`)}  ${sample.label.padEnd(10)} ${'customer → POST'.padEnd(17)} /api/orders/${data.id}/cancel`,
      );
      await postJson(`${urlOf('orderservice')}/api/orders/${data.id}/cancel`, {});
      order = await waitFor(data.id, 'CANCELLED');
    }
    await new Promise((r) => setTimeout(r, 700)); // let the remaining events of this order print
    const asExpected = order.status === sample.expect;
    if (!asExpected) unexpected += 1;
    const verdict = asExpected ? 'as expected' : `EXPECTED ${sample.expect}`;
    say(`    ${sample.label}: ${bold(order.status)}${order.cancellation ? ` (${order.cancellation.reason})` : ''} — ${verdict}`);
    const notes = (
      await http<{ data?: Array<{ eventType: string; channel: string; status: string; reason?: string }> }>(
        'GET',
        `${urlOf('notificationservice')}/api/notifications?orderId=${data.id}`,
      )
    ).body;
    for (const n of (notes.data ?? []).reverse())
      say(
        `               notificationservice ${n.channel.padEnd(5)} ${n.status.padEnd(7)} for ${n.eventType}${n.reason ? ` (${n.reason})` : ''}`,
      );
  }
  await watcher.disconnect();
}

async function waitFor(id: string, states: string): Promise<{ status: string; cancellation?: { reason: string } }> {
  const res = await http<{ data: { status: string; cancellation?: { reason: string } } }>(
    'GET',
    `${urlOf('orderservice')}/api/orders/${id}?waitFor=${states}&timeoutMs=15000`,
  );
  return res.body.data;
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(bold('Stopping'));
  await Promise.all(
    children.map(async (service) => {
      await service.stop();
      say(`    ${service.name} stopped`);
    }),
  );
  if (stack && startedComponents.length > 0) await stack.down(startedComponents);
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch((err: unknown) => {
  console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
  void shutdown(1);
});

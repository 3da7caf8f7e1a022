/**
 * Database commands per order of the notificationservice alone (issue 10 step 6): starts the service
 * (this checkout's, or another's with --root), feeds its topic the lifecycle events of N orders
 * (OrderPlaced, then OrderConfirmed) and reads db_commands_total and kafka_requests_total from its
 * /metrics before and after. Paced (open loop, --rate orders/s) and as a backlog (all at once).
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 DB_URL=mongodb://127.0.0.1:27017 npx tsx tools/bench/notificationCommands.ts [--orders 400] [--rate 80] [--root /path/to/checkout]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createEvent, eventHeaders, serializeEvent } from '@orderplatform/shared/contracts';
import { provisionTopics } from '@orderplatform/shared/kafka';
import { createLogger } from '@orderplatform/shared/logging';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { freePort, REPO_ROOT, spawnService, waitForHealth } from '../lib/serviceProcess.js';
import { scrape, sumBy, total, type Series } from './lib/serviceCounters.js';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '400' },
    rate: { type: 'string', default: '80' },
    root: { type: 'string', default: REPO_ROOT },
  },
});
const ordersPerPhase = Number(values.orders);
const rate = Number(values.rate);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const dbBase = (process.env.DB_URL ?? 'mongodb://127.0.0.1:27017').replace(/\/+$/, '');
const prefix = `notifcmd-${randomUUID().slice(0, 8)}`;
const topic = `${prefix}.order-events`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const kafka = new Kafka({ clientId: prefix, brokers, logLevel: logLevel.NOTHING });
await provisionTopics(
  kafka,
  [
    { topic, numPartitions: 3, withDlt: true },
    { topic: `${prefix}.inventory-events`, numPartitions: 3, withDlt: true },
  ],
  createLogger({ service: 'bench', level: 'silent' }),
);
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
await producer.connect();

const service = spawnService('notificationservice', {
  port: await freePort(),
  env: {
    NODE_ENV: 'test',
    DB_URL: `${dbBase}/${prefix}`,
    KAFKA_BROKERS: brokers.join(','),
    LOG_LEVEL: 'warn',
    ADMIN_API_KEY: 'bench-admin-key-0123456789abcdef',
    SEED_DEMO_CONTACTS: 'false',
    ORDER_EVENTS_TOPIC: topic,
    INVENTORY_EVENTS_TOPIC: `${prefix}.inventory-events`,
    CONSUMER_GROUP_ID: `notificationservice.${topic}`,
  },
  root: values.root,
});

const messageOf = (eventType: 'OrderPlaced' | 'OrderConfirmed', orderId: string) => {
  const customer = { email: 'bench@example.com', phone: '+14155550100' };
  const event =
    eventType === 'OrderPlaced'
      ? createEvent(
          'OrderPlaced',
          {
            orderId,
            customerId: 'bench',
            items: [{ productId: '1', quantity: 1, price: 9.99 }],
            totalAmount: 9.99,
            currency: 'USD',
            customer,
          },
          { source: 'bench', correlationId: randomUUID() },
        )
      : createEvent(
          'OrderConfirmed',
          { orderId, customerId: 'bench', totalAmount: 9.99, currency: 'USD', customer },
          { source: 'bench', correlationId: randomUUID() },
        );
  return {
    key: orderId,
    value: serializeEvent(event),
    headers: eventHeaders(event, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
  };
};

const notified = (s: Series) => total(s, 'notifications_total');
async function phase(name: string, send: (ids: string[]) => Promise<void>, orders = ordersPerPhase): Promise<Record<string, unknown>> {
  const ids = Array.from({ length: orders }, () => randomUUID());
  const before = await scrape(service.url);
  const started = Date.now();
  await send(ids);
  const want = notified(before) + orders * 2 * 2;
  for (;;) {
    const now = await scrape(service.url);
    if (notified(now) >= want) break;
    if (Date.now() - started > 180_000) throw new Error(`${name}: ${notified(now) - notified(before)} of ${orders * 4} notifications`);
    await sleep(200);
  }
  await sleep(1_500); // the last offset commits
  const after = await scrape(service.url);
  const per = (metric: string, by: string) => {
    const a = sumBy(after, metric, by);
    const b = sumBy(before, metric, by);
    const out: Record<string, number> = {};
    let sum = 0;
    for (const [k, v] of Object.entries(a)) {
      const d = v - (b[k] ?? 0);
      if (d === 0) continue;
      out[k] = Math.round((d / orders) * 100) / 100;
      sum += d;
    }
    return { total: Math.round((sum / orders) * 100) / 100, ...out };
  };
  return {
    phase: name,
    orders,
    seconds: (Date.now() - started) / 1000,
    commandsPerOrder: per('db_commands_total', 'command'),
    kafkaRequestsPerOrder: per('kafka_requests_total', 'api'),
  };
}

try {
  await waitForHealth(service, { timeoutMs: 60_000 });
  const paced = async (ids: string[]) => {
    const t0 = Date.now();
    await Promise.all(
      ids.map(async (id, i) => {
        await sleep(Math.max(0, t0 + (i * 1000) / rate - Date.now()));
        await producer.send({ topic, acks: -1, messages: [messageOf('OrderPlaced', id)] });
        await sleep(50);
        await producer.send({ topic, acks: -1, messages: [messageOf('OrderConfirmed', id)] });
      }),
    );
  };
  await phase('warm-up (consumer joined)', paced, 20);
  const results = [
    await phase(`paced ${rate}/s`, paced),
    await phase('backlog', async (ids) => {
      await producer.send({
        topic,
        acks: -1,
        messages: ids.flatMap((id) => [messageOf('OrderPlaced', id), messageOf('OrderConfirmed', id)]),
      });
    }),
  ];
  console.log(JSON.stringify({ root: values.root, results }, null, 2));
} finally {
  await service.stop();
  await producer.disconnect();
}

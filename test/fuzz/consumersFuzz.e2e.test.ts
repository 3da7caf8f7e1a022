import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, parseEvent, childTraceparent, eventHeaders } from '@orderplatform/shared/contracts';
import { readDeadLetters } from '@orderplatform/shared/kafka';
import { admin, http } from '../support/http.js';
import { testKafka, uniqueName } from '../support/infra.js';
import { isolatedTopicsEnv, startService, type RunningService } from '../support/services.js';
import { ConsumptionTracker, coordinates, type Published } from './support/consumptionTracker.js';
import { describeMessage, hostileMessage, type HostileMessage } from './support/eventArbitraries.js';
import { checkProperty, FUZZ_RUNS, timeoutFor } from './support/fuzzConfig.js';
import { assertAlive, eventuallyReady } from './support/responseChecks.js';

/** A run publishes a batch of 1–5 hostile messages (and maybe a valid event and an order). */
const RUNS = FUZZ_RUNS;
const STOCK = 'fuzz-stock';

type Expectation = { coords: Published; what: string; outcome: 'dlt' | 'skip' | 'ok' };

/**
 * Poisoned messages against the consumers of all three services as real processes: random bytes,
 * random JSON, known types with broken payloads or envelopes, unknown types, odd versions, huge and
 * header-less messages — interleaved with valid events that must still be processed. No process may
 * crash; every message the contract calls invalid lands in `<topic>.DLT` once per consuming group;
 * unknown types are skipped, never dead-lettered (SPEC §4, §5).
 */
describe('hostile Kafka messages (property-based fuzzing)', () => {
  const prefix = uniqueName('fuzzkafka');
  const env = isolatedTopicsEnv(prefix);
  const orderTopic = env.ORDER_EVENTS_TOPIC!;
  const inventoryTopic = env.INVENTORY_EVENTS_TOPIC!;
  const topicOf = { order: orderTopic, inventory: inventoryTopic };
  const kafka = testKafka();
  const tracker = new ConsumptionTracker(kafka, {
    [orderTopic]: [`inventoryservice.${orderTopic}`, `notificationservice.${orderTopic}`],
    [inventoryTopic]: [`orderservice.${orderTopic}`],
  });
  const expectations: Expectation[] = [];
  let orders: RunningService;
  let inventory: RunningService;
  let notifications: RunningService;

  beforeAll(async () => {
    [orders, inventory, notifications] = await Promise.all([
      startService('orderservice', { dbName: uniqueName('fuzzk-orderdb'), env: { ...env, LOG_LEVEL: 'error' } }),
      startService('inventoryservice', {
        dbName: uniqueName('fuzzk-inventorydb'),
        env: { ...env, LOG_LEVEL: 'error', SEED_CATALOG: 'true' },
      }),
      startService('notificationservice', {
        dbName: uniqueName('fuzzk-notificationdb'),
        env: { ...env, LOG_LEVEL: 'error', NOTIFICATION_MAX_ATTEMPTS: '2' },
      }),
    ]);
    // Stock that only the valid events use, so they can never run short whatever the fuzzer reserves.
    expect((await http('PUT', `${inventory.url}/api/inventory/${STOCK}`, { available: 1_000_000_000 }, admin)).status).toBe(201);
    await tracker.start();
  });

  afterAll(async () => {
    await tracker.stop();
    await Promise.all([orders, inventory, notifications].map((s) => s?.stop()));
  });

  const alive = (): void => assertAlive(orders, inventory, notifications);

  /** What the contract (shared codec) says each message is; the claim made by construction must agree. */
  function expectedOutcome(m: HostileMessage): 'dlt' | 'skip' | 'ok' {
    const parsed = parseEvent(m.value);
    if (m.claim === 'invalid' && parsed.kind !== 'invalid')
      throw new Error(`the contract accepts a message built to be invalid: ${describeMessage(m)} → ${parsed.kind}`);
    if (m.claim === 'unknown-type' && parsed.kind !== 'unknown-type')
      throw new Error(`not read as an unknown type: ${describeMessage(m)} → ${parsed.kind}`);
    return parsed.kind === 'invalid' ? 'dlt' : parsed.kind === 'unknown-type' ? 'skip' : 'ok';
  }

  function assertOutcome(e: Expectation): void {
    const dead = tracker.deadLettersOf(e.coords);
    const groups = tracker.groupsOf(e.coords.topic);
    const where = `${e.what} at ${coordinates(e.coords.topic, e.coords.partition, e.coords.offset)}`;
    if (e.outcome === 'dlt') {
      for (const group of groups) {
        if (!dead.some((d) => d.group === group))
          throw new Error(`invalid message not in the DLT for ${group}: ${where}; dead letters: ${JSON.stringify(dead)}`);
      }
    } else if (e.outcome === 'skip') {
      if (dead.length > 0) throw new Error(`unknown type dead-lettered instead of skipped: ${where}: ${JSON.stringify(dead)}`);
    } else if (dead.some((d) => d.errorClass === 'InvalidEventError')) {
      throw new Error(`a message the contract reads was dead-lettered as invalid: ${where}: ${JSON.stringify(dead)}`);
    }
  }

  /** A valid OrderPlaced, as orderservice would publish it, for stock nobody else touches. */
  async function publishValidOrderPlaced(): Promise<{ orderId: string; coords: Published }> {
    const orderId = randomUUID();
    const event = createEvent(
      'OrderPlaced',
      {
        orderId,
        customerId: 'fuzz-valid',
        items: [{ productId: STOCK, quantity: 1, price: 1 }],
        totalAmount: 1,
        currency: 'USD',
        customer: { email: 'fuzz-valid@example.com' },
      },
      { source: 'orderservice', correlationId: randomUUID(), causationId: null },
    );
    const coords = await tracker.publish(orderTopic, {
      key: orderId,
      value: Buffer.from(JSON.stringify(event)),
      headers: eventHeaders(event, childTraceparent()),
    });
    return { orderId, coords };
  }

  it(
    'survives random and poisoned messages on both topics, dead-letters the invalid ones per group, skips unknown types, and still processes the valid events in between',
    async () => {
      const keys = fc.oneof(fc.constant(null), fc.string({ maxLength: 30 }), fc.uuid());
      const batch = fc.record({
        messages: fc.array(hostileMessage(keys), { minLength: 1, maxLength: 5 }),
        validAt: fc.option(fc.nat({ max: 5 }), { nil: undefined }),
        placeOrder: fc.boolean(),
      });
      await checkProperty(
        fc
          .asyncProperty(batch, async ({ messages, validAt, placeOrder }) => {
            const placed = placeOrder
              ? await http('POST', `${orders.url}/api/orders`, {
                  customerId: 'fuzz-http',
                  items: [{ productId: STOCK, quantity: 1, price: 2.5 }],
                })
              : undefined;
            if (placed) expect(placed.status).toBe(201);

            const run: Expectation[] = [];
            let valid: { orderId: string; coords: Published } | undefined;
            for (const [index, m] of messages.entries()) {
              if (validAt === index) valid = await publishValidOrderPlaced();
              const outcome = expectedOutcome(m);
              // Some hostile messages share the partition of the HTTP order (its key), so they really interleave with its events.
              const key = placed && index % 2 === 0 ? (placed.body.data.id as string) : m.key;
              run.push({
                coords: await tracker.publish(topicOf[m.topic], { key, value: m.value, ...(m.headers ? { headers: m.headers } : {}) }),
                what: describeMessage(m),
                outcome,
              });
            }
            if (validAt !== undefined && !valid) valid = await publishValidOrderPlaced();
            expectations.push(...run);

            await tracker.waitProcessed([...run.map((e) => e.coords), ...(valid ? [valid.coords] : [])], alive);
            for (const e of run) assertOutcome(e);

            if (valid) {
              // The groups committed past it, so its effects are durable: a reservation and a notification.
              const reservation = await http('GET', `${inventory.url}/api/inventory/reservations/${valid.orderId}`);
              expect(reservation.body.data?.status, `reservation of the interleaved valid OrderPlaced ${valid.orderId}`).toBe('RESERVED');
              const sent = await http('GET', `${notifications.url}/api/notifications?orderId=${valid.orderId}`);
              expect(sent.body.data?.length, `notifications of the interleaved valid OrderPlaced ${valid.orderId}`).toBeGreaterThanOrEqual(
                1,
              );
              expect(tracker.deadLettersOf(valid.coords)).toEqual([]);
            }
            if (placed) {
              const settled = await http(
                'GET',
                `${orders.url}/api/orders/${placed.body.data.id}?waitFor=CONFIRMED,CANCELLED&timeoutMs=30000`,
              );
              expect(settled.body.data?.status, `order ${placed.body.data.id} placed over HTTP among the poison`).toBe('CONFIRMED');
            }
            alive();
          })
          .afterEach(() => alive()),
        RUNS,
      );
      for (const service of [orders, inventory, notifications]) await eventuallyReady(service);
      const count = (outcome: Expectation['outcome']): number => expectations.filter((e) => e.outcome === outcome).length;
      console.log(
        `[fuzz] ${expectations.length} hostile messages: ${count('dlt')} invalid (dead-lettered), ${count('skip')} unknown types (skipped), ${count('ok')} readable`,
      );
    },
    timeoutFor(RUNS, 5_000, 120_000),
  );

  it('readDeadLetters agrees: every invalid message is in <topic>.DLT for each consuming group, no unknown type is', async () => {
    expect(expectations.length).toBeGreaterThan(0);
    const byOrigin = new Map<string, string[]>();
    for (const topic of [orderTopic, inventoryTopic]) {
      for (const record of await readDeadLetters(kafka, `${topic}.DLT`)) {
        const origin = coordinates(
          record.originalTopic,
          Number(record.headers['dlt.original.partition']),
          record.headers['dlt.original.offset'] ?? '?',
        );
        byOrigin.set(origin, [...(byOrigin.get(origin) ?? []), record.headers['dlt.consumer.group'] ?? '?']);
      }
    }
    const problems: string[] = [];
    for (const e of expectations) {
      const origin = coordinates(e.coords.topic, e.coords.partition, e.coords.offset);
      const groups = [...new Set(byOrigin.get(origin) ?? [])].sort();
      if (e.outcome === 'dlt' && [...tracker.groupsOf(e.coords.topic)].sort().join() !== groups.join())
        problems.push(`${e.what}: dead letters by [${groups.join(', ')}]`);
      if (e.outcome === 'skip' && groups.length > 0) problems.push(`${e.what}: unknown type dead-lettered by [${groups.join(', ')}]`);
      // The live reader the property relied on saw the same dead letters.
      const seen = [...new Set(tracker.deadLettersOf(e.coords).map((d) => d.group))].sort();
      if (seen.join() !== groups.join())
        problems.push(`${e.what}: readDeadLetters says [${groups.join(', ')}], the live reader saw [${seen.join(', ')}]`);
    }
    expect(problems).toEqual([]);
  });

  it('every service is still running and ready', async () => {
    alive();
    for (const service of [orders, inventory, notifications]) await eventuallyReady(service);
  });
});

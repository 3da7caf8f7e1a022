import type { Kafka } from 'kafkajs';
import { readDeadLetters } from '@orderplatform/shared/kafka';
import type { FaultRecord } from './faults.js';
import type { Observer } from './Observer.js';
import type { PoisonRecord } from './poison.js';

export interface CheckResult {
  name: string;
  pass: boolean;
  /** The figures behind the verdict, one line. */
  summary: string;
  /** The first few offending items, when it failed. */
  violations?: unknown[];
}

interface OrderDoc {
  _id: string;
  status: string;
  items: Array<{ productId: string; quantity: number }>;
  timeline: Array<{ eventType: string; eventId: string }>;
}
interface ProductDoc {
  productId: string;
  available: number;
  reserved: number;
  sold: number;
  initial: number;
  restocked: number;
  /** In-flight markers only (inventoryservice's ReservationService); who holds what is on the reservations. */
  pending?: Array<{ orderId: string; attemptId: string; quantity: number; step: string }>;
}
interface ReservationDoc {
  _id: string;
  status: string;
  lines?: Array<{ productId: string; quantity: number }>;
  /** The hold each line counts on (written by the RESERVED decision). */
  held?: Array<{ productId: string; attemptId: string }>;
  /** The products whose units the order still holds. */
  holding?: string[];
}
interface NotificationDoc {
  eventId: string;
  channel: string;
  status: string;
  reason?: string;
}

export interface CheckInput {
  observer: Observer;
  kafka: Kafka;
  accepted: string[];
  faults: FaultRecord[];
  expectedFaults: number;
  poison: PoisonRecord[];
  expectedPoison: number;
  settled: boolean;
  settleSummary: string;
  orderTopic: string;
  inventoryTopic: string;
  /** Consumer groups reading the order topic: each must dead-letter every poison message. */
  orderTopicGroups: string[];
}

const NOTIFIED = new Set(['OrderPlaced', 'OrderConfirmed', 'OrderCancelled', 'OrderShipped', 'OrderDelivered']);
const CHANNELS = ['email', 'sms'];
const TAKES_STOCK = new Set(['CONFIRMED', 'SHIPPED', 'DELIVERED']);
/** The reservation status each final order status requires (every order's OrderPlaced opened one). */
const RESERVATION_FOR: Record<string, string[]> = {
  CONFIRMED: ['RESERVED'],
  SHIPPED: ['SOLD'],
  DELIVERED: ['SOLD'],
  CANCELLED: ['FAILED', 'RELEASED', 'CANCELLED_BEFORE_RESERVE'],
};

const check = (name: string, violations: unknown[], summary: string, extraPass = true): CheckResult =>
  violations.length === 0 && extraPass
    ? { name, pass: true, summary }
    : { name, pass: false, summary, violations: violations.slice(0, 10) };

/** Reads what the services stored and what the DLTs hold, and judges every invariant of SPEC §2/§5. */
export async function runChecks(input: CheckInput): Promise<CheckResult[]> {
  const { observer } = input;
  const [orders, products, reservations, notifications] = await Promise.all([
    observer.orders
      .collection<OrderDoc>('orders')
      .find({}, { projection: { status: 1, items: 1, timeline: 1 } })
      .toArray(),
    observer.inventory.collection<ProductDoc>('products').find({}).toArray(),
    observer.inventory
      .collection<ReservationDoc>('reservations')
      .find({}, { projection: { status: 1, lines: 1, held: 1, holding: 1 } })
      .toArray(),
    observer.notifications
      .collection<NotificationDoc>('notifications')
      .find({}, { projection: { eventId: 1, channel: 1, status: 1, reason: 1 } })
      .toArray(),
  ]);
  return [
    faultsCheck(input),
    check(
      'system settled (no PENDING order, outbox empty, no consumer lag)',
      input.settled ? [] : ['not quiet before the settle timeout'],
      input.settleSummary,
    ),
    ordersTerminal(input.accepted, orders),
    stockBalances(products),
    noDoubleReservation(orders, products, reservations),
    unitsTaken(orders, products),
    notificationsOnce(orders, notifications),
    await deadLettersOnlyPoison(input),
  ];
}

function faultsCheck({ faults, expectedFaults, poison, expectedPoison, accepted }: CheckInput): CheckResult {
  const violations = [
    ...(faults.length < expectedFaults ? [`${faults.length}/${expectedFaults} faults injected and recovered`] : []),
    ...(poison.length < expectedPoison ? [`${poison.length}/${expectedPoison} poison messages injected`] : []),
    ...(accepted.length === 0 ? ['no order was accepted'] : []),
  ];
  return check(
    'faults injected under load',
    violations,
    `${faults.length}/${expectedFaults} faults recovered, ${poison.length}/${expectedPoison} poison messages, ${accepted.length} orders accepted`,
  );
}

function ordersTerminal(accepted: string[], orders: OrderDoc[]): CheckResult {
  const byId = new Map(orders.map((o) => [o._id, o]));
  const missing = accepted.filter((id) => !byId.has(id)).map((id) => ({ orderId: id, problem: 'accepted (201) but not stored' }));
  const pending = orders.filter((o) => o.status === 'PENDING').map((o) => ({ orderId: o._id, problem: 'still PENDING' }));
  const counts: Record<string, number> = {};
  for (const o of orders) counts[o.status] = (counts[o.status] ?? 0) + 1;
  const summary = `${accepted.length} accepted, ${orders.length} stored (${Object.entries(counts)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ')}), ${missing.length} missing, ${pending.length} PENDING`;
  return check('every accepted order stored and terminal', [...missing, ...pending], summary, accepted.length > 0);
}

function stockBalances(products: ProductDoc[]): CheckResult {
  const violations = products
    .filter((p) => p.initial + p.restocked !== p.available + p.reserved + p.sold || p.available < 0 || p.reserved < 0 || p.sold < 0)
    .map((p) => ({
      productId: p.productId,
      initial: p.initial,
      restocked: p.restocked,
      available: p.available,
      reserved: p.reserved,
      sold: p.sold,
    }));
  const sum = (f: (p: ProductDoc) => number) => products.reduce((s, p) => s + f(p), 0);
  const summary =
    `${products.length - violations.length}/${products.length} products balance: initial ${sum((p) => p.initial)} + restocked ${sum((p) => p.restocked)} = ` +
    `available ${sum((p) => p.available)} + reserved ${sum((p) => p.reserved)} + sold ${sum((p) => p.sold)}; min available ${Math.min(...products.map((p) => p.available))}`;
  return check(
    'stock invariant per product (initial + restocked = available + reserved + sold, available ≥ 0)',
    violations,
    summary,
    products.length > 0,
  );
}

function noDoubleReservation(orders: OrderDoc[], products: ProductDoc[], reservations: ReservationDoc[]): CheckResult {
  const violations: unknown[] = [];
  const holdsOf = new Map<string, Map<string, number>>(); // orderId → productId → quantity held
  let holds = 0;
  const addHold = (orderId: string, productId: string, quantity: number) => {
    holds += 1;
    const ofOrder = holdsOf.get(orderId) ?? new Map<string, number>();
    if (ofOrder.has(productId)) violations.push({ productId, orderId, problem: 'two holds for one order' });
    holdsOf.set(orderId, ofOrder.set(productId, quantity));
  };
  // The ledger: each reservation's `holding` lines; plus hold markers no reservation records (in flight, or strays).
  const counted = new Set<string>();
  for (const r of reservations) {
    for (const h of r.held ?? []) counted.add(`${r._id}/${h.productId}/${h.attemptId}`);
    for (const productId of r.holding ?? []) addHold(r._id, productId, r.lines?.find((l) => l.productId === productId)?.quantity ?? 0);
  }
  for (const p of products) {
    for (const m of p.pending ?? [])
      if (m.step === 'hold' && !counted.has(`${m.orderId}/${p.productId}/${m.attemptId}`)) addHold(m.orderId, p.productId, m.quantity);
  }
  for (const p of products) {
    let held = 0;
    for (const ofOrder of holdsOf.values()) held += ofOrder.get(p.productId) ?? 0;
    if (held !== p.reserved) violations.push({ productId: p.productId, problem: `Σholds ${held} ≠ reserved ${p.reserved}` });
  }
  const reservationOf = new Map(reservations.map((r) => [r._id, r.status]));
  for (const o of orders) {
    const reservation = reservationOf.get(o._id) ?? 'NONE';
    const allowed = RESERVATION_FOR[o.status];
    if (allowed && !allowed.includes(reservation))
      violations.push({ orderId: o._id, status: o.status, reservation, problem: 'reservation does not match the order' });
    const held = holdsOf.get(o._id);
    if (o.status === 'CONFIRMED') {
      const exact = o.items.length === (held?.size ?? 0) && o.items.every((line) => held?.get(line.productId) === line.quantity);
      if (!exact)
        violations.push({
          orderId: o._id,
          status: o.status,
          holds: Object.fromEntries(held ?? []),
          problem: 'confirmed order does not hold exactly its lines',
        });
    } else if (held) {
      violations.push({
        orderId: o._id,
        status: o.status,
        holds: Object.fromEntries(held),
        problem: `${o.status} order still holds stock`,
      });
    }
  }
  const orderIds = new Set(orders.map((o) => o._id));
  for (const id of [...holdsOf.keys()].filter((id) => !orderIds.has(id)))
    violations.push({ orderId: id, problem: 'stock held for an order that does not exist' });
  for (const r of reservations.filter((r) => !orderIds.has(r._id)))
    violations.push({ orderId: r._id, reservation: r.status, problem: 'reservation for an order that does not exist' });
  const byStatus: Record<string, number> = {};
  for (const r of reservations) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  const summary = `${reservations.length} reservations (${Object.entries(byStatus)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ')}), ${holds} holds, ${violations.length} violations`;
  return check('no double reservation (one hold per order and product, Σholds = reserved, reservations match orders)', violations, summary);
}

function unitsTaken(orders: OrderDoc[], products: ProductDoc[]): CheckResult {
  const units = orders
    .filter((o) => TAKES_STOCK.has(o.status))
    .flatMap((o) => o.items)
    .reduce((s, l) => s + l.quantity, 0);
  const taken = products.reduce((s, p) => s + p.reserved + p.sold, 0);
  const summary = `units of CONFIRMED+SHIPPED+DELIVERED orders ${units}, reserved + sold ${taken}`;
  return check('units of confirmed/shipped/delivered orders = reserved + sold', units === taken ? [] : [{ units, taken }], summary);
}

function notificationsOnce(orders: OrderDoc[], notifications: NotificationDoc[]): CheckResult {
  const violations: unknown[] = [];
  const records = new Map<string, NotificationDoc>();
  let duplicates = 0;
  for (const n of notifications) {
    const key = `${n.eventId}/${n.channel}`;
    if (records.has(key)) {
      duplicates += 1;
      violations.push({ eventId: n.eventId, channel: n.channel, problem: 'two notifications for one event and channel' });
    }
    records.set(key, n);
  }
  const expected = new Set<string>();
  let missing = 0;
  for (const o of orders) {
    for (const step of o.timeline.filter((t) => NOTIFIED.has(t.eventType))) {
      for (const channel of CHANNELS) {
        const key = `${step.eventId}/${channel}`;
        expected.add(key);
        const record = records.get(key);
        // Every load-generator order carries an email address and a phone number: SKIPPED is a miss too.
        if (record?.status !== 'SENT') {
          missing += 1;
          violations.push({
            orderId: o._id,
            eventType: step.eventType,
            eventId: step.eventId,
            channel,
            problem: record ? `notification ${record.status}${record.reason ? ` (${record.reason})` : ''}` : 'no notification',
          });
        }
      }
    }
  }
  const orphans = [...records.keys()].filter((key) => !expected.has(key));
  for (const key of orphans) violations.push({ notification: key, problem: 'notification for an event no order recorded' });
  const summary = `${expected.size} expected (2 per lifecycle event), ${notifications.length} records, ${notifications.filter((n) => n.status === 'SENT').length} SENT, ${missing} missing, ${duplicates} duplicates, ${orphans.length} orphans`;
  return check(
    'exactly one notification per (eventId, channel), every lifecycle event notified on both channels',
    violations,
    summary,
    expected.size > 0,
  );
}

async function deadLettersOnlyPoison(input: CheckInput): Promise<CheckResult> {
  const topics = [`${input.orderTopic}.DLT`, `${input.inventoryTopic}.DLT`];
  const records = (await Promise.all(topics.map((t) => readDeadLetters(input.kafka, t)))).flat();
  const poisonIds = new Set(input.poison.map((p) => p.eventId));
  const unexpected = records
    .filter((r) => !r.eventId || !poisonIds.has(r.eventId))
    .map((r) => ({
      dltTopic: r.dltTopic,
      eventType: r.eventType,
      eventId: r.eventId,
      key: r.key,
      group: r.headers['dlt.consumer.group'],
      errorClass: r.errorClass,
      error: r.errorMessage?.slice(0, 200),
    }));
  const missing: unknown[] = [];
  let copies = 0;
  for (const p of input.poison) {
    for (const group of input.orderTopicGroups) {
      const found = records.filter((r) => r.eventId === p.eventId && r.headers['dlt.consumer.group'] === group).length;
      if (found === 0)
        missing.push({ eventId: p.eventId, eventType: p.eventType, group, problem: 'poison message not dead-lettered by this group' });
      copies += found;
    }
  }
  const summary = `${records.length} dead letters: ${copies} poison copies for ${input.poison.length} poison × ${input.orderTopicGroups.length} groups, ${missing.length} missing, ${unexpected.length} unexpected`;
  return check(
    'DLTs hold the injected poison and nothing else (per consuming group)',
    [...unexpected, ...missing],
    summary,
    input.poison.length > 0,
  );
}

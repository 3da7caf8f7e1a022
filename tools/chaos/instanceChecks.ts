import type { Kafka } from 'kafkajs';
import { readTopicToEnd } from '@orderplatform/shared/kafka';
import type { CheckResult } from './checks.js';
import type { FailoverCounters, LongPollRecord, RequestCounters } from './LoadGenerator.js';
import type { Observer } from './Observer.js';
import type { PoisonRecord } from './poison.js';

/** What the load generator saw with several instances of each service, for the checks that only matter there. */
export interface InstanceCheckInput {
  observer: Observer;
  kafka: Kafka;
  orderTopic: string;
  orders: RequestCounters;
  failover: FailoverCounters;
  keysSent: ReadonlySet<string>;
  acceptedByKey: ReadonlyMap<string, string>;
  longPolls: LongPollRecord[];
  poison: PoisonRecord[];
}

interface KeyedOrderDoc {
  _id: string;
  status: string;
  idempotencyKey?: string;
  timeline: Array<{ status: string; eventType: string; eventId: string; reason?: string; at?: Date }>;
}

const check = (name: string, violations: unknown[], summary: string, extraPass = true): CheckResult =>
  violations.length === 0 && extraPass
    ? { name, pass: true, summary }
    : { name, pass: false, summary, violations: violations.slice(0, 10) };

/**
 * The checks several instances add (issue 12): no order lost to a killed instance, none placed twice
 * by a re-send, every long-poll answered with the decided state whichever instance it met, and no
 * order cancelled twice by the PENDING sweepers of two instances racing.
 */
export async function instanceChecks(input: InstanceCheckInput): Promise<CheckResult[]> {
  const orders = await input.observer.orders
    .collection<KeyedOrderDoc>('orders')
    .find({}, { projection: { status: 1, idempotencyKey: 1, timeline: 1 } })
    .toArray();
  const events = await readTopicToEnd(input.kafka, input.orderTopic);
  const cancellations = events
    .filter(({ message }) => message.headers?.eventType?.toString() === 'OrderCancelled')
    .map(({ message }) => {
      const envelope = JSON.parse(message.value?.toString() ?? '{}') as { eventId?: string; data?: { orderId?: string; reason?: unknown } };
      return {
        orderId: envelope.data?.orderId ?? message.key?.toString() ?? '?',
        eventId: envelope.eventId ?? '?',
        reason: envelope.data?.reason,
      };
    });
  return [
    noFailedOrders(input),
    onePerKey(input, orders),
    longPollsDecided(input.longPolls, orders),
    cancelledOnce(input.poison, orders, cancellations),
  ];
}

function noFailedOrders({ orders, failover }: InstanceCheckInput): CheckResult {
  const violations =
    orders.failed > 0
      ? [`${orders.failed} of ${orders.sent} orders got no answer from any instance (${orders.timedOut} client timeouts)`]
      : [];
  const summary =
    `${orders.sent} orders sent, ${orders.failed} without an answer; ${failover.retried.order} re-sent to the other instance ` +
    `(${failover.ordersReplayed} answered 200 Idempotent-Replayed), ${JSON.stringify(orders.refused)} refused`;
  return check(
    '0 failed orders: every order sent ended with an answer (re-sent to another instance when one did not answer)',
    violations,
    summary,
    orders.sent > 0,
  );
}

function onePerKey({ keysSent, acceptedByKey }: InstanceCheckInput, orders: KeyedOrderDoc[]): CheckResult {
  const violations: unknown[] = [];
  const byKey = new Map<string, string[]>();
  for (const o of orders) if (o.idempotencyKey !== undefined) byKey.set(o.idempotencyKey, [...(byKey.get(o.idempotencyKey) ?? []), o._id]);
  for (const [key, ids] of byKey) {
    if (ids.length > 1) violations.push({ idempotencyKey: key, orders: ids, problem: 'several orders for one Idempotency-Key' });
    if (!keysSent.has(key)) violations.push({ idempotencyKey: key, problem: 'stored under a key the load never sent' });
  }
  for (const [key, id] of acceptedByKey) {
    const stored = byKey.get(key);
    if (!stored) violations.push({ idempotencyKey: key, orderId: id, problem: 'answered 201/200, but no order holds the key' });
    else if (!stored.includes(id))
      violations.push({ idempotencyKey: key, answered: id, stored, problem: 'the answer named another order than the one stored' });
  }
  const duplicates = [...byKey.values()].filter((ids) => ids.length > 1).length;
  const summary = `${keysSent.size} keys sent, ${acceptedByKey.size} answered with an order, ${byKey.size} stored, ${duplicates} keys with more than one order`;
  return check('0 duplicate orders per Idempotency-Key (order database)', violations, summary, keysSent.size > 0);
}

/** A decision this long before a long-poll's answer must be in it (instances re-read the order every 0.5 s; slack for the write and the reply). */
const CROSS_INSTANCE_SLACK_MS = 2_000;

/**
 * Every long-poll answered with the decided state as stored, whichever instance it landed on. A wait
 * that ended while the order was still PENDING answered the truth (the current state, at the timeout):
 * counted, and a violation only when the order had been decided before that answer — the other
 * instance's decision not seen.
 */
function longPollsDecided(polls: LongPollRecord[], orders: KeyedOrderDoc[]): CheckResult {
  const byId = new Map(orders.map((o) => [o._id, o]));
  const violations: unknown[] = [];
  let undecided = 0;
  for (const p of polls) {
    const stored = byId.get(p.orderId);
    const decision = stored?.timeline.find(
      (t) => t.status === 'CONFIRMED' || (t.status === 'CANCELLED' && t.eventType === 'OrderCancelled'),
    );
    const decidedAt = decision?.at === undefined ? undefined : new Date(decision.at).getTime();
    if (p.status === 'CONFIRMED' || p.status === 'CANCELLED') {
      if (!stored?.timeline.some((t) => t.status === p.status))
        violations.push({
          orderId: p.orderId,
          answered: p.status,
          stored: stored?.status,
          problem: 'long-poll answered a state the order never had',
        });
      else if (p.status === 'CANCELLED' && stored.status !== 'CANCELLED')
        violations.push({
          orderId: p.orderId,
          answered: p.status,
          stored: stored.status,
          problem: 'answered CANCELLED, stored as another state',
        });
    } else if (p.status === undefined) {
      violations.push({
        orderId: p.orderId,
        rounds: p.rounds,
        problem: 'long-poll never answered (no instance answered but 503 or nothing)',
      });
    } else if (decidedAt !== undefined && decidedAt < p.answeredAt - CROSS_INSTANCE_SLACK_MS) {
      violations.push({
        orderId: p.orderId,
        answered: p.status,
        decidedBeforeAnswerMs: p.answeredAt - decidedAt,
        problem: 'long-poll answered PENDING after the order was decided',
      });
    } else undecided += 1;
  }
  const rounds = polls.reduce((s, p) => s + p.rounds, 0);
  const decided = polls.length - violations.length - undecided;
  const summary = `${polls.length} long-polls (${rounds} GETs over any instance): ${decided} answered with the decided state, ${undecided} still undecided when their wait ended (answered PENDING, truthfully), ${violations.length} wrong or unanswered`;
  return check(
    'every long-poll answered with the decided state (CONFIRMED/CANCELLED, as stored) once it was reached, on whichever instance it landed',
    violations,
    summary,
    polls.length > 0,
  );
}

function cancelledOnce(
  poison: PoisonRecord[],
  orders: KeyedOrderDoc[],
  cancellations: Array<{ orderId: string; eventId: string; reason: unknown }>,
): CheckResult {
  const poisonIds = new Set(poison.map((p) => p.eventId));
  const eventsOf = new Map<string, Set<string>>();
  let copies = 0;
  for (const c of cancellations.filter((c) => !poisonIds.has(c.eventId))) {
    copies += 1;
    eventsOf.set(c.orderId, (eventsOf.get(c.orderId) ?? new Set<string>()).add(c.eventId));
  }
  const violations: unknown[] = [];
  for (const [orderId, ids] of eventsOf)
    if (ids.size > 1) violations.push({ orderId, eventIds: [...ids], problem: 'several OrderCancelled events for one order on the topic' });
  let timeouts = 0;
  for (const o of orders) {
    // The timeline's own OrderCancelled steps (an InventoryReleased after it is recorded as CANCELLED too, but is no cancellation).
    const cancels = o.timeline.filter((t) => t.eventType === 'OrderCancelled');
    if (cancels.length > 1)
      violations.push({ orderId: o._id, reasons: cancels.map((t) => t.reason), problem: 'cancellation recorded more than once' });
    if (cancels.some((t) => t.reason === 'TIMEOUT')) timeouts += 1;
    if (o.status === 'CANCELLED' && !eventsOf.has(o._id))
      violations.push({ orderId: o._id, problem: 'CANCELLED, but no OrderCancelled on the topic' });
  }
  const summary = `${eventsOf.size} orders cancelled on the topic (${copies} OrderCancelled records; ${timeouts} by the PENDING sweepers, reason TIMEOUT), ${violations.length} cancelled twice or unpublished`;
  return check(
    'no order cancelled twice (one OrderCancelled per order on the topic, one CANCELLED in its timeline), sweepers on every instance',
    violations,
    summary,
  );
}

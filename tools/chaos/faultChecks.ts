import type { CheckResult } from './checks.js';
import type { FaultRecord } from './faults.js';
import { describeRequests } from './requestFigures.js';

/** Issue 9 / SPEC §5: a new order completes within this long after a fault ends. */
export const RECOVERY_BOUND_MS = 30_000;
/** More joins than this by one process during one fault is a rebalance storm (one instance of each service). */
export const MAX_JOINS_PER_FAULT = 2;

/**
 * The bound with `instances` members in each group: kafkajs answers a coordinator move (a broker fault)
 * with a full rejoin, and every member's rejoin rebalances the group, so each member sees up to one join
 * more per other member for one move (seen: 3 joins by one of two members, within 4 s, on a leader kill).
 */
export const maxJoinsPerFault = (instances: number): number => MAX_JOINS_PER_FAULT + Math.max(0, instances - 1);
/** SPEC §3: a request meeting a dependency that is down is answered 503, promptly. */
const PROMPT_MS = 5_000;
/** The broker's default message.max.bytes (1 MB + record overhead); the burst must exceed it to be the relay-stall case. */
const BROKER_MAX_MESSAGE_BYTES = 1_048_588;

const result = (name: string, violations: unknown[], summary: string): CheckResult =>
  violations.length === 0 ? { name, pass: true, summary } : { name, pass: false, summary, violations: violations.slice(0, 10) };

/** The fault's own verdicts, beside the final invariant checks: recovery, no rebalance storm, and what each fault is about. */
export function faultChecks(faults: FaultRecord[], instances = 1): CheckResult[] {
  return faults.flatMap((f) => [recovered(f), noStorm(f, maxJoinsPerFault(instances)), ...specific(f)]);
}

function recovered(f: FaultRecord): CheckResult {
  const ms = f.sagaRecoveredAfterMs;
  const summary =
    ms === null
      ? `no order placed after the fault ended was decided (every process ready after ${(f.recoveredAfterMs / 1000).toFixed(1)} s)`
      : `first new saga ${(ms / 1000).toFixed(1)} s after the fault ended (every process ready after ${(f.recoveredAfterMs / 1000).toFixed(1)} s from the fault)`;
  return result(
    `fault ${f.fault}: a new order completes within ${RECOVERY_BOUND_MS / 1000} s after the fault ends`,
    ms !== null && ms <= RECOVERY_BOUND_MS ? [] : [summary],
    summary,
  );
}

function noStorm(f: FaultRecord, maxJoins: number): CheckResult {
  const joins = Object.entries(f.groupJoins);
  const summary = `group joins during the fault: ${joins.map(([instance, n]) => `${instance} ${n}`).join(', ')}`;
  const storms = joins.filter(([, n]) => (n ?? 0) > maxJoins).map(([instance, n]) => ({ instance, joins: n }));
  return result(`fault ${f.fault}: no rebalance storm (≤ ${maxJoins} group joins per consumer process)`, storms, summary);
}

function specific(f: FaultRecord): CheckResult[] {
  switch (f.fault) {
    case 'db-pause':
    case 'db-restart':
      return [promptAnswers(f)];
    case 'oversize-burst':
      return [burstAccepted(f), burstPublished(f)];
    case 'consumer-freeze':
      return [partitionsMoved(f)];
    default:
      return [];
  }
}

function promptAnswers(f: FaultRecord): CheckResult {
  const o = f.requests.orders;
  const violations = [
    ...(o.sent === 0 ? ['no order request was sent during the outage'] : []),
    ...(o.unanswered > 0 ? [`${o.unanswered} order requests unanswered (client timeout)`] : []),
    ...(o.errors > 0 ? [`${o.errors} order requests met a connection error`] : []),
    ...(o.slowerThan5s > 0 ? [`${o.slowerThan5s} order requests answered after more than ${PROMPT_MS / 1000} s`] : []),
    ...Object.entries(o.answeredOther).map(([status, n]) => `${n} order requests answered ${status} instead of 503`),
  ];
  return result(
    `fault ${f.fault}: every order request during the outage answered within ${PROMPT_MS / 1000} s (201 or 503)`,
    violations,
    `order requests during the outage: ${describeRequests(o)}`,
  );
}

function burstAccepted(f: FaultRecord): CheckResult {
  const burst = f.details.burst as
    { sent: number; accepted: number; answered: Record<string, number>; unanswered: number; errors: number; bodyBytes: number } | undefined;
  const outbox = f.details.outboxWhenBrokerReturned as { documents: number; bytes: number } | undefined;
  if (!burst || !outbox)
    return result(`fault ${f.fault}: the burst was accepted while the broker was down`, ['the burst was not sent'], 'no burst');
  const violations = [
    ...(burst.accepted < burst.sent
      ? [
          `${burst.sent - burst.accepted} of ${burst.sent} maximum-size orders not accepted: ${JSON.stringify(burst.answered)}, ${burst.unanswered} unanswered, ${burst.errors} errors`,
        ]
      : []),
    ...(outbox.bytes <= BROKER_MAX_MESSAGE_BYTES
      ? [
          `only ${outbox.bytes} bytes of events pending: not beyond the broker's ${BROKER_MAX_MESSAGE_BYTES} bytes, not the case this fault is about`,
        ]
      : []),
  ];
  const summary = `${burst.accepted}/${burst.sent} maximum-size orders (${burst.bodyBytes} bytes a body) accepted; ${outbox.documents} orders with ${(outbox.bytes / 1e6).toFixed(2)} MB of events pending when the broker returned`;
  return result(
    `fault ${f.fault}: every maximum-size order accepted (201) while the broker was down, more than the broker's max message size pending`,
    violations,
    summary,
  );
}

function burstPublished(f: FaultRecord): CheckResult {
  const ms = f.details.outboxDrainedAfterMs as number | null | undefined;
  const summary =
    typeof ms === 'number'
      ? `no order event pending for more than 10 s, ${(ms / 1000).toFixed(1)} s after the broker returned`
      : `orders' outbox still holds ${String(f.details.outboxStaleAtEnd)} documents with events pending for more than 10 s`;
  return result(
    `fault ${f.fault}: publishing resumed — the whole backlog published within ${RECOVERY_BOUND_MS / 1000} s of the broker's return`,
    typeof ms === 'number' && ms <= RECOVERY_BOUND_MS ? [] : [summary],
    summary,
  );
}

function partitionsMoved(f: FaultRecord): CheckResult {
  const moved = Number(f.details.sagasDecidedAfterSessionTimeout ?? 0);
  const summary = `${Number(f.details.sagasDecidedWhileFrozen ?? 0)} sagas decided while the member was frozen, ${moved} of them after its session timeout (by the standby)`;
  return result(
    `fault ${f.fault}: the frozen member's partitions moved to the standby (sagas decided during the freeze)`,
    moved > 0 ? [] : ['no saga was decided while the member was frozen'],
    summary,
  );
}

import type { Kafka } from 'kafkajs';
import { offsetsPartitionOf } from '../../infra/local/lib/partitionLeaders.js';
import { BURST_PRODUCTS, postBurst, stockBurstProducts, type BurstResult } from './burst.js';
import type { ChaosStack, LeaderMap } from './ChaosStack.js';
import { countGroupJoins } from './groupJoins.js';
import type { RequestSample } from './LoadGenerator.js';
import { warningsIn } from './logWarnings.js';
import type { GroupSubscription, Observer } from './Observer.js';
import { injectPoison, type PoisonRecord } from './poison.js';
import { requestFigures, type RequestFigures } from './requestFigures.js';
import { SERVICE_NAMES, standbyOf, type Instance, type ServiceRunner } from './ServiceRunner.js';

/** Every fault `--faults` may name, in the order a run injects them. */
export const FAULT_NAMES = [
  'kill-orderservice',
  'kill-inventoryservice',
  'kill-notificationservice',
  'broker-restart',
  'leader-kill',
  'broker-stop-long',
  'db-pause',
  'db-restart',
  'consumer-freeze',
  'oversize-burst',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];
/** The faults only a three-broker cluster can take (one broker gone while the others serve). */
export const CLUSTER_FAULTS = ['leader-kill', 'broker-stop-long'] as const satisfies readonly FaultName[];

/**
 * The consumers' session timeout: ReliableConsumer's default (shared/src/kafka/ReliableConsumer.ts),
 * which no service overrides. A member silent for longer is expelled and its partitions move.
 */
export const CONSUMER_SESSION_TIMEOUT_MS = 10_000;
/** Long enough for the broker to expel the frozen member and the standby to take its partitions. */
const FREEZE_MS = 2 * CONSUMER_SESSION_TIMEOUT_MS;
const DB_DOWN_MS = 10_000;
/** broker-stop-long: one broker stays stopped past the consumers' session timeout. */
const BROKER_STOP_LONG_MS = 2 * CONSUMER_SESSION_TIMEOUT_MS;
/** leader-kill: how long the killed broker stays down once its partitions have new leaders, under load. */
const LEADER_DOWN_MS = 5_000;
/** Longest wait for the cluster to elect new leaders for a lost broker's partitions (KRaft fences it after ~9 s). */
const ELECTION_WAIT_MS = 60_000;
/** How long to look for the first saga after a fault before calling it not recovered. */
const SAGA_WAIT_MS = 90_000;
/** An outbox entry pending this long, with the broker up, is not being published. */
const OUTBOX_STALE_MS = 10_000;

export interface FaultRecord {
  fault: FaultName;
  title: string;
  /** Seconds since the load started. */
  atS: number;
  /** Epoch ms: injected; lifted (the cause removed: restarted, resumed, back up); end of its window. */
  startedAt: number;
  liftedAt: number;
  windowEndAt: number;
  /** From the fault until everything answered ready again. */
  recoveredAfterMs: number;
  /** From the fault's end until the first saga (inventory's answer applied) of an order placed after it; null: none within SAGA_WAIT_MS. */
  sagaRecoveredAfterMs: number | null;
  /** Order requests the load sent between the fault and its end, and all its requests. */
  requests: { orders: RequestFigures; all: RequestFigures };
  /** Consumer group joins per process, logged during the fault's window. */
  groupJoins: Partial<Record<Instance, number>>;
  details: Record<string, unknown>;
}

export interface FaultPlan {
  selected: readonly FaultName[];
  stack: ChaosStack;
  services: ServiceRunner;
  observer: Observer;
  kafka: Kafka;
  orderTopic: string;
  /** Topics whose partition leaders the broker faults watch (the run's topics, their DLTs, the offsets topic). */
  leaderTopics: string[];
  /** The consumer group whose coordinator broker-stop-long stops. */
  coordinatorGroup: string;
  /** Every consumer group of the run and its topic (for the lag a stall report shows). */
  groups: GroupSubscription[];
  /** Instance 1 of each (the burst and its stocking go there). */
  ordersUrl: string;
  inventoryUrl: string;
  adminKey: string;
  samples: () => RequestSample[];
  /** Hands an order accepted outside the steady load (the burst) to the final checks. */
  accept: (orderId: string) => void;
  gapMs: number;
  dbPauseMs: number;
  burstOrders: number;
  loadStartedAt: () => number;
  log: (line: string) => void;
  /** Checked between steps so Ctrl-C stops the plan early. */
  aborted: () => boolean;
}

interface FaultSpec {
  title: string;
  /** Before the window opens (not part of the fault's figures). */
  prepare?: () => Promise<void>;
  /** Injects the fault and returns once it is lifted. */
  act: (details: Record<string, unknown>) => Promise<void>;
  /** After the fault is lifted and its first saga seen, inside the window: fault-specific recovery figures. */
  afterLift?: (details: Record<string, unknown>, liftedAt: number) => Promise<void>;
  /** After the window closes. */
  cleanUp?: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The selected faults, one at a time under the steady load, each followed by a full recovery (every
 * process ready again, a new saga completed) and a pause under load; a poison message before the first
 * and another after the last. Each fault's record carries what clients saw, the group joins and the
 * recovery times.
 */
export async function runFaults(plan: FaultPlan, faults: FaultRecord[], poison: PoisonRecord[]): Promise<void> {
  const { services, stack, log } = plan;
  const standby = standbyOf('inventoryservice');
  const specs: Record<FaultName, FaultSpec> = {
    'kill-orderservice': killAndRestart(plan, 'orderservice'),
    'kill-inventoryservice': killAndRestart(plan, 'inventoryservice'),
    'kill-notificationservice': killAndRestart(plan, 'notificationservice'),
    'broker-restart': {
      title: 'stop + start the Kafka broker',
      act: async () => {
        await stack.stopKafka();
        await sleep(1_000);
        await stack.startAgain();
      },
    },
    'leader-kill': {
      title: `SIGKILL the broker that leads most partitions, restart it ${LEADER_DOWN_MS / 1000} s after its partitions have new leaders`,
      act: async (details) => {
        const before = await stack.leaders(plan.leaderTopics);
        const victim = mostLeading(before);
        const name = stack.brokerName(victim.nodeId);
        details.broker = name;
        details.partitionsLedBefore = victim.partitions;
        details.partitionsWatched = before.size;
        const killedAt = Date.now();
        await stack.killBroker(name);
        log(`leader-kill: SIGKILL ${name} (leader of ${victim.partitions}/${before.size} partitions)`);
        const during = await leadersWithout(stack, plan.leaderTopics, victim.nodeId, ELECTION_WAIT_MS);
        details.newLeadersAfterMs = Date.now() - killedAt;
        details.leaderChanges = leaderChanges(before, during);
        log(
          `leader-kill: ${String(details.leaderChanges)} partitions changed leader ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill; restarting ${name} in ${LEADER_DOWN_MS / 1000} s`,
        );
        await sleep(LEADER_DOWN_MS);
        await stack.startAgain();
        details.leaderChangesOnReturn = leaderChanges(during, await stack.leaders(plan.leaderTopics));
      },
    },
    'broker-stop-long': {
      title: `stop (clean) the consumer group coordinator's broker, start it ${BROKER_STOP_LONG_MS / 1000} s later (past the ${CONSUMER_SESSION_TIMEOUT_MS / 1000} s session timeout)`,
      act: async (details) => {
        const before = await stack.leaders(plan.leaderTopics);
        const coordinator = coordinatorOf(before, plan.coordinatorGroup);
        const nodeId = coordinator ?? mostLeading(before).nodeId;
        const name = stack.brokerName(nodeId);
        details.broker = name;
        details.coordinatorOf = coordinator === undefined ? null : plan.coordinatorGroup;
        const stoppedAt = Date.now();
        await stack.stopBroker(name);
        log(`broker-stop-long: ${name} stopped${coordinator === undefined ? '' : ` (coordinator of ${plan.coordinatorGroup})`}`);
        const during = await leadersWithout(stack, plan.leaderTopics, nodeId, ELECTION_WAIT_MS);
        details.leaderChanges = leaderChanges(before, during);
        await sleep(Math.max(0, stoppedAt + BROKER_STOP_LONG_MS - Date.now()));
        await stack.startAgain();
        details.leaderChangesOnReturn = leaderChanges(during, await stack.leaders(plan.leaderTopics));
        log(
          `broker-stop-long: ${name} back after ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s; ${String(details.leaderChanges)} leader changes while it was down, ${String(details.leaderChangesOnReturn)} on its return`,
        );
      },
    },
    'db-pause': {
      title: `database paused ${plan.dbPauseMs / 1000} s (SIGSTOP, then SIGCONT)`,
      act: async () => {
        stack.pauseMongo();
        await sleep(plan.dbPauseMs);
        stack.resumeMongo();
      },
    },
    'db-restart': {
      title: `database stopped (clean) for ${DB_DOWN_MS / 1000} s, then started on its data`,
      act: async () => {
        await stack.stopMongo();
        await sleep(DB_DOWN_MS);
        await stack.startAgain();
      },
    },
    'consumer-freeze': {
      title: `inventoryservice frozen ${FREEZE_MS / 1000} s (SIGSTOP past its ${CONSUMER_SESSION_TIMEOUT_MS / 1000} s session timeout, a standby in its group), then resumed`,
      prepare: async () => {
        const since = Date.now();
        await services.start(standby);
        // Both members joined (the standby, and the first one in the rebalance it caused): the window starts on a quiet group.
        await waitForJoin(services.logFile(standby), since, 30_000);
        await waitForJoin(services.logFile('inventoryservice'), since, 30_000).catch(() => undefined);
        await sleep(3_000);
        log(`consumer-freeze: standby inventoryservice on ${services.url(standby)} joined the group`);
      },
      act: async (details) => {
        const frozenAt = Date.now();
        services.pause('inventoryservice');
        await sleep(FREEZE_MS);
        services.resume('inventoryservice');
        const resumedAt = Date.now();
        const decided = await plan.observer.sagaDecisions({ decidedFrom: frozenAt });
        details.sagasDecidedWhileFrozen = decided.filter((at) => at <= resumedAt).length;
        details.sagasDecidedAfterSessionTimeout = decided.filter(
          (at) => at >= frozenAt + CONSUMER_SESSION_TIMEOUT_MS && at <= resumedAt,
        ).length;
      },
      cleanUp: async () => {
        const since = Date.now();
        await services.stop(standby);
        // The remaining member takes the standby's partitions back; let that rebalance end before the next fault.
        await waitForJoin(services.logFile('inventoryservice'), since, 30_000).catch(() => undefined);
      },
    },
    'oversize-burst': {
      title: `${plan.burstOrders} maximum-size orders during a broker outage`,
      prepare: () => stockBurstProducts(plan.inventoryUrl, plan.adminKey, plan.burstOrders),
      act: async (details) => {
        await stack.stopKafka();
        const burst: BurstResult = await postBurst(plan.ordersUrl, plan.burstOrders, 16, plan.accept);
        details.burst =
          burst.accepted.length === burst.sent
            ? { ...burst, accepted: burst.accepted.length }
            : { ...burst, accepted: burst.accepted.length, firstAccepted: burst.accepted.slice(0, 3) };
        details.burstProducts = BURST_PRODUCTS.length;
        const outbox = await plan.observer.orderOutbox();
        details.outboxWhenBrokerReturned = outbox;
        log(
          `oversize-burst: ${burst.accepted.length}/${burst.sent} accepted (${JSON.stringify(burst.answered)}, ${burst.unanswered} unanswered, ${burst.errors} errors) in ${(burst.tookMs / 1000).toFixed(1)} s, ` +
            `${burst.bodyBytes} bytes a body; outbox ${outbox.documents} documents, ${(outbox.bytes / 1e6).toFixed(2)} MB of events; starting the broker`,
        );
        await stack.startAgain();
      },
      afterLift: async (details, liftedAt) => {
        // One saga getting through is not enough: the whole backlog must publish, and new orders with it.
        const drainedAt = await outboxDrained(plan.observer, OUTBOX_STALE_MS, liftedAt + SAGA_WAIT_MS);
        details.outboxDrainedAfterMs = drainedAt === undefined ? null : drainedAt - liftedAt;
        details.outboxStaleAtEnd = await plan.observer.staleOrderOutbox(OUTBOX_STALE_MS).catch(() => undefined);
        plan.log(
          `oversize-burst: ${drainedAt === undefined ? `orders' outbox still holds ${String(details.outboxStaleAtEnd)} documents older than ${OUTBOX_STALE_MS / 1000} s` : `outbox drained ${((drainedAt - liftedAt) / 1000).toFixed(1)} s after the broker returned`}`,
        );
      },
    },
  };

  /** Set once a fault's first new saga never came: the faults after it are not injected (see step). */
  let stalledBy: FaultName | undefined;
  const step = async (fault: FaultName) => {
    if (plan.aborted()) return;
    if (stalledBy !== undefined) {
      log(`fault: ${fault} skipped — the sagas did not recover from "${stalledBy}"`);
      return;
    }
    const spec = specs[fault];
    await spec.prepare?.();
    const startedAt = Date.now();
    log(`fault: ${fault} — ${spec.title}`);
    const details: Record<string, unknown> = {};
    await spec.act(details);
    const liftedAt = Date.now();
    await Promise.all(services.runningInstances().map((instance) => services.waitReady(instance, 90_000)));
    const readyAt = Date.now();
    // Both clocks start when the fault is lifted: a fault's own after-lift measure (the outbox drain)
    // must not wait for the first new saga, or it would report the saga's time as its own.
    const [saga] = await Promise.all([firstSagaAfter(plan.observer, liftedAt, SAGA_WAIT_MS), spec.afterLift?.(details, liftedAt)]);
    const sagaRecoveredAfterMs = saga.at === undefined ? null : saga.at - liftedAt;
    log(
      `recovered from "${fault}": ready after ${((readyAt - startedAt) / 1000).toFixed(1)} s, ${sagaRecoveredAfterMs === null ? `no new saga within ${SAGA_WAIT_MS / 1000} s` : `first new saga ${(sagaRecoveredAfterMs / 1000).toFixed(1)} s`} after the fault ended`,
    );
    if (sagaRecoveredAfterMs === null) {
      // Say where the saga stands, for a run whose logs are gone (CI): each later fault would only wait
      // out its own SAGA_WAIT_MS on top, so they are skipped and the checks report the failure.
      details.stall = { ...(await stallReport(plan, startedAt, liftedAt)), ...(saga.lastError ? { observerError: saga.lastError } : {}) };
      log(`${fault}: the sagas are stuck: ${JSON.stringify(details.stall)}`);
      stalledBy = fault;
    }
    await sleep(Math.max(0, readyAt + plan.gapMs - Date.now()));
    const windowEndAt = Date.now();
    const groupJoins: Partial<Record<Instance, number>> = {};
    for (const name of SERVICE_NAMES) {
      for (const { instance, file } of services.logFilesOf(name)) {
        if (instance === name || services.hasRun(instance)) groupJoins[instance] = countGroupJoins(file, startedAt, windowEndAt);
      }
    }
    const samples = plan.samples();
    faults.push({
      fault,
      title: spec.title,
      atS: Math.round(((startedAt - plan.loadStartedAt()) / 1000) * 10) / 10,
      startedAt,
      liftedAt,
      windowEndAt,
      recoveredAfterMs: readyAt - startedAt,
      sagaRecoveredAfterMs,
      requests: { orders: requestFigures(samples, startedAt, liftedAt, ['order']), all: requestFigures(samples, startedAt, liftedAt) },
      groupJoins,
      details,
    });
    await spec.cleanUp?.();
  };
  const poisonStep = async (eventType: 'OrderPlaced' | 'OrderCancelled') => {
    if (plan.aborted()) return;
    const record = await injectPoison(plan.kafka, plan.orderTopic, eventType);
    poison.push(record);
    log(`poison: ${eventType} with an invalid payload on ${plan.orderTopic} (eventId ${record.eventId})`);
  };

  await sleep(plan.gapMs);
  await poisonStep('OrderPlaced');
  for (const fault of FAULT_NAMES.filter((f) => plan.selected.includes(f))) await step(fault);
  await poisonStep('OrderCancelled');
}

function killAndRestart(plan: FaultPlan, name: (typeof SERVICE_NAMES)[number]): FaultSpec {
  const others = plan.services.instances(name).length - 1;
  return {
    title: `SIGKILL + restart ${name}${others > 0 ? ` (instance 1; ${others === 1 ? 'the other keeps' : `the other ${others} keep`} serving)` : ''}`,
    act: async () => {
      await plan.services.kill(name);
      await plan.services.start(name);
    },
  };
}

/** The broker that leads most of the watched partitions (the lowest node id on a tie). */
function mostLeading(leaders: LeaderMap): { nodeId: number; partitions: number } {
  const counts = new Map<number, number>();
  for (const leader of leaders.values()) if (leader >= 0) counts.set(leader, (counts.get(leader) ?? 0) + 1);
  const [nodeId, partitions] = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0] ?? [];
  if (nodeId === undefined || partitions === undefined) throw new Error('no partition has a leader: the cluster metadata shows none');
  return { nodeId, partitions };
}

/** Partitions whose leader differs between two looks (present in both). */
export function leaderChanges(before: LeaderMap, after: LeaderMap): number {
  let changed = 0;
  for (const [partition, leader] of before) if (after.has(partition) && after.get(partition) !== leader) changed += 1;
  return changed;
}

/** The group's coordinator: the leader of its __consumer_offsets partition (undefined when that topic is not watched). */
function coordinatorOf(leaders: LeaderMap, groupId: string): number | undefined {
  const partitions = [...leaders.keys()].filter((k) => k.startsWith('__consumer_offsets/')).length;
  if (partitions === 0) return undefined;
  const leader = leaders.get(`__consumer_offsets/${offsetsPartitionOf(groupId, partitions)}`);
  return leader !== undefined && leader >= 0 ? leader : undefined;
}

/** Polls the metadata until no watched partition is led by `nodeId` (new leaders elected); throws after `timeoutMs`. */
async function leadersWithout(stack: ChaosStack, topics: string[], nodeId: number, timeoutMs: number): Promise<LeaderMap> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const leaders = await stack.leaders(topics);
    if (![...leaders.values()].some((leader) => leader === nodeId || leader < 0)) return leaders;
    if (Date.now() > deadline)
      throw new Error(`the partitions of Kafka node ${nodeId} had no new leader ${timeoutMs / 1000} s after it went down`);
    await sleep(500);
  }
}

/** The first saga decided for an order placed at or after `after`, polled from the orders database. */
async function firstSagaAfter(observer: Observer, after: number, timeoutMs: number): Promise<{ at?: number; lastError?: string }> {
  const deadline = Date.now() + timeoutMs;
  let lastError: string | undefined;
  for (;;) {
    const decided = await observer.sagaDecisions({ placedFrom: after }).catch((err: unknown) => {
      lastError = String(err);
      return [];
    });
    if (decided.length > 0) return { at: decided[0] };
    if (Date.now() > deadline) return lastError === undefined ? {} : { lastError };
    await sleep(500);
  }
}

/**
 * Where the sagas stand when none completed after a fault: what became of the orders placed since it
 * ended, what waits in the outboxes and consumer groups, and what each process warned about since the
 * fault began.
 */
export async function stallReport(plan: FaultPlan, startedAt: number, liftedAt: number): Promise<Record<string, unknown>> {
  const now = Date.now();
  const settled = async <T>(what: Promise<T>): Promise<T | string> => what.catch((err: unknown) => `unavailable: ${String(err)}`);
  const warnings: Record<string, unknown> = {};
  for (const name of SERVICE_NAMES) {
    for (const { instance, file } of plan.services.logFilesOf(name)) {
      if (!plan.services.hasRun(instance)) continue;
      const { count, top } = warningsIn(file, startedAt, now);
      if (count > 0) warnings[instance] = { count, top: top.map(({ msg, times }) => `${times}× ${msg}`) };
    }
  }
  return {
    ordersPlacedSinceLift: await settled(plan.observer.ordersByOutcome(liftedAt)),
    outboxDocuments: await settled(plan.observer.outboxDocuments()),
    consumerLag: await settled(plan.observer.consumerLagByGroup(plan.groups)),
    warnings,
  };
}

/** When no order's event has been pending for more than `staleMs` (polled until `deadline`); undefined if never. */
async function outboxDrained(observer: Observer, staleMs: number, deadline: number): Promise<number | undefined> {
  for (;;) {
    const stale = await observer.staleOrderOutbox(staleMs).catch(() => Number.NaN);
    if (stale === 0) return Date.now();
    if (Date.now() > deadline) return undefined;
    await sleep(1_000);
  }
}

/** Waits until `file` logs a consumer group join after `since`. */
async function waitForJoin(file: string, since: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (countGroupJoins(file, since, Number.MAX_SAFE_INTEGER) === 0) {
    if (Date.now() > deadline) throw new Error(`no consumer group join in ${file} within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

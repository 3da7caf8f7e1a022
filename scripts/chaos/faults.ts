import type { Kafka } from 'kafkajs';
import type { ChaosStack } from './ChaosStack.js';
import { injectPoison, type PoisonRecord } from './poison.js';
import { SERVICE_NAMES, type ServiceRunner } from './ServiceRunner.js';

export interface FaultRecord {
  fault: string;
  /** Seconds since the load started. */
  atS: number;
  /** From the fault until everything answered ready again. */
  recoveredAfterMs: number;
}

export interface FaultPlan {
  stack: ChaosStack;
  services: ServiceRunner;
  kafka: Kafka;
  orderTopic: string;
  gapMs: number;
  loadStartedAt: () => number;
  log: (line: string) => void;
  /** Checked between steps so Ctrl-C stops the plan early. */
  aborted: () => boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The faults, one at a time, each followed by a full recovery (every service ready again) and a pause
 * under load: SIGKILL + restart of each service, a broker stop + start, and two poison messages.
 */
export async function runFaults(plan: FaultPlan, faults: FaultRecord[], poison: PoisonRecord[]): Promise<void> {
  const { services, stack, log } = plan;
  const step = async (fault: string, act: () => Promise<void>) => {
    if (plan.aborted()) return;
    const started = Date.now();
    const atS = (started - plan.loadStartedAt()) / 1000;
    log(`fault: ${fault}`);
    await act();
    await Promise.all(SERVICE_NAMES.map((name) => services.waitReady(name, 90_000)));
    const record = { fault, atS: Math.round(atS * 10) / 10, recoveredAfterMs: Date.now() - started };
    faults.push(record);
    log(`recovered from "${fault}" in ${(record.recoveredAfterMs / 1000).toFixed(1)} s`);
    await sleep(plan.gapMs);
  };
  const poisonStep = async (eventType: 'OrderPlaced' | 'OrderCancelled') => {
    if (plan.aborted()) return;
    const record = await injectPoison(plan.kafka, plan.orderTopic, eventType);
    poison.push(record);
    log(`poison: ${eventType} with an invalid payload on ${plan.orderTopic} (eventId ${record.eventId})`);
  };

  await sleep(plan.gapMs);
  await poisonStep('OrderPlaced');
  for (const name of SERVICE_NAMES) {
    await step(`SIGKILL + restart ${name}`, async () => {
      await services.kill(name);
      await services.start(name);
    });
  }
  await step('stop + start the Kafka broker', async () => {
    await stack.stopKafka();
    await sleep(1_000);
    await stack.startAgain();
  });
  await poisonStep('OrderCancelled');
}

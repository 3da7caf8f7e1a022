import { randomUUID } from 'node:crypto';
import { provisionTopics } from '@orderplatform/shared/kafka';
import { createLogger } from '@orderplatform/shared/logging';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { cpuTimeMs } from './cpu.js';
import { progress } from './platform.js';
import { summarize } from './stats.js';

/** The raw ceilings: one Node process doing nothing but the one call, C at a time, for `seconds`. */
export interface CeilingOptions {
  concurrency: number;
  seconds: number;
}

export interface Ceiling {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  operations: number;
  /** Bulk ceilings: documents written per second (100 per operation). */
  docsPerSec?: number;
  /** Bulk ceilings, when the database process is known: documents per second of its CPU (user + system). */
  docsPerDbCpuSecond?: number;
}

const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;

/** C workers doing one operation after another for the phase's seconds. */
async function closedLoop(
  label: string,
  opts: CeilingOptions,
  op: () => Promise<void>,
  docsPerOp?: number,
  dbPid?: number,
): Promise<Ceiling> {
  const latencies: number[] = [];
  const dbCpuBefore = dbPid === undefined ? undefined : cpuTimeMs(dbPid);
  const bar = progress(label);
  const end = Date.now() + opts.seconds * 1000;
  const started = performance.now();
  const ticker = setInterval(() => bar.update(`${latencies.length} ops, ${Math.max(0, Math.ceil((end - Date.now()) / 1000))} s left`), 500);
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        await op();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  clearInterval(ticker);
  const seconds = (performance.now() - started) / 1000;
  const dbCpuAfter = dbPid === undefined ? undefined : cpuTimeMs(dbPid);
  const dbCpuSeconds = dbCpuBefore === undefined || dbCpuAfter === undefined ? undefined : (dbCpuAfter - dbCpuBefore) / 1000;
  const s = summarize(latencies);
  const result: Ceiling = {
    opsPerSec: Math.round(latencies.length / seconds),
    p50Ms: s.p50,
    p99Ms: s.p99,
    operations: latencies.length,
    ...(docsPerOp ? { docsPerSec: Math.round((latencies.length * docsPerOp) / seconds) } : {}),
    ...(docsPerOp && dbCpuSeconds ? { docsPerDbCpuSecond: Math.round((latencies.length * docsPerOp) / dbCpuSeconds) } : {}),
  };
  const perCpu = result.docsPerDbCpuSecond ? `, ${result.docsPerDbCpuSecond} per database CPU second` : '';
  bar.done(
    `${result.opsPerSec} ops/s${result.docsPerSec ? ` (${result.docsPerSec} documents/s${perCpu})` : ''}, p50 ${ms(s.p50)}, p99 ${ms(s.p99)}`,
  );
  return result;
}

const orderDoc = () => ({
  _id: randomUUID() as never,
  customerId: 'bench',
  items: [{ productId: 'b1', quantity: 1, unitPriceCents: 1999 }],
  totalCents: 1999,
  status: 'PENDING',
  createdAt: new Date(),
  outbox: [{ eventId: randomUUID(), value: 'x'.repeat(450) }],
});

/** insertOne, then insertMany and bulkWrite of 100 order-sized documents per call; `dbPid`: the database process, for CPU per document. */
export async function mongoCeilings(
  url: string,
  opts: CeilingOptions,
  dbPid?: number,
): Promise<{ insertOne: Ceiling; insertMany: Ceiling; bulkWrite: Ceiling }> {
  const client = new MongoClient(url, { maxPoolSize: opts.concurrency });
  await client.connect();
  try {
    const single = client.db().collection('raw_inserts');
    const insertOne = await closedLoop('plain-driver insertOne', opts, () => single.insertOne(orderDoc()).then(() => undefined));
    const bulk = client.db().collection('raw_bulk');
    const ids: string[] = [];
    const insertMany = await closedLoop(
      'plain-driver insertMany ×100',
      opts,
      async () => {
        const docs = Array.from({ length: 100 }, orderDoc);
        await bulk.insertMany(docs, { ordered: false });
        for (const doc of docs) ids.push(doc._id as unknown as string);
      },
      100,
      dbPid,
    );
    // Each call updates 100 of the documents just inserted, as a consumer's confirmation wave would.
    let cursor = 0;
    const bulkWrite = await closedLoop(
      'plain-driver bulkWrite ×100 (updateOne by _id)',
      opts,
      async () => {
        const ops = Array.from({ length: 100 }, () => {
          const _id = ids[cursor++ % ids.length] as never;
          return {
            updateOne: {
              filter: { _id },
              update: {
                $set: { status: 'CONFIRMED', updatedAt: new Date() },
                $push: { timeline: { status: 'CONFIRMED', at: new Date() } },
              },
            },
          };
        });
        await bulk.bulkWrite(ops as never, { ordered: false });
      },
      100,
      dbPid,
    );
    return { insertOne, insertMany, bulkWrite };
  } finally {
    await client.db().dropDatabase();
    await client.close();
  }
}

export async function kafkaCeiling(brokers: string, topic: string, opts: CeilingOptions): Promise<Ceiling> {
  const kafka = new Kafka({ clientId: 'bench-raw', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  // Not kafkajs' waitForLeaders: on a cluster it gives up when the broker it asks has not heard of the topic yet.
  await provisionTopics(kafka, [{ topic, numPartitions: 3 }], createLogger({ service: 'bench', level: 'silent' }));
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const value = 'x'.repeat(600);
  try {
    return await closedLoop('plain kafkajs send (acks=all)', opts, () =>
      producer.send({ topic, acks: -1, messages: [{ key: randomUUID(), value }] }).then(() => undefined),
    );
  } finally {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  }
}

import { randomUUID } from 'node:crypto';
import { Partitioners, type Admin, type Consumer, type Kafka, type Producer } from 'kafkajs';
import { readHeaders } from '@orderplatform/shared/contracts';
import { DLT_HEADERS } from '@orderplatform/shared/kafka';

/** Where a published message landed. */
export interface Published {
  topic: string;
  partition: number;
  offset: number;
}

export interface DeadLetterSeen {
  group: string;
  errorClass: string;
  errorMessage: string;
}

/** `topic/partition/offset` of a message. */
export const coordinates = (topic: string, partition: number, offset: number | string): string => `${topic}/${partition}/${offset}`;

/**
 * Publishes fuzz messages and tells, without guessing at timing, when every consuming group is past
 * them: a group's committed offset moves only after the message's effects (or its dead letter) are
 * durable, so once all groups have committed past a message, its dead letters are already in the
 * DLT; a reader that has caught up with the DLT's end offsets has seen them all.
 */
export class ConsumptionTracker {
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly reader: Consumer;
  /** Dead letters by original coordinates. */
  private readonly dead = new Map<string, DeadLetterSeen[]>();
  /** Next offset to read, per DLT partition. */
  private readonly readUpTo = new Map<string, number>();

  constructor(
    private readonly kafka: Kafka,
    /** The consumer groups of each consumed topic. */
    private readonly groups: Record<string, readonly string[]>,
  ) {
    this.producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    this.admin = kafka.admin();
    this.reader = kafka.consumer({ groupId: `fuzz-dlt-reader-${randomUUID()}`, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  }

  private get dltTopics(): string[] {
    return Object.keys(this.groups).map((t) => `${t}.DLT`);
  }

  async start(): Promise<void> {
    await Promise.all([this.producer.connect(), this.admin.connect(), this.reader.connect()]);
    await this.waitForTopics([...Object.keys(this.groups), ...this.dltTopics]);
    for (const topic of this.dltTopics) await this.reader.subscribe({ topic, fromBeginning: true });
    await this.reader.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers = readHeaders(message.headers);
        const original = coordinates(
          headers[DLT_HEADERS.originalTopic] ?? '?',
          Number(headers[DLT_HEADERS.originalPartition]),
          headers[DLT_HEADERS.originalOffset] ?? '?',
        );
        const seen = this.dead.get(original) ?? [];
        seen.push({
          group: headers[DLT_HEADERS.consumerGroup] ?? '?',
          errorClass: headers[DLT_HEADERS.errorClass] ?? '?',
          errorMessage: headers[DLT_HEADERS.errorMessage] ?? '',
        });
        this.dead.set(original, seen);
        this.readUpTo.set(`${topic}/${partition}`, Number(message.offset) + 1);
      },
    });
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.reader.disconnect(), this.producer.disconnect(), this.admin.disconnect()]);
  }

  async publish(
    topic: string,
    message: { key: string | Buffer | null; value: Buffer | null; headers?: Record<string, string | Buffer> },
  ): Promise<Published> {
    const [meta] = await this.producer.send({
      topic,
      acks: -1,
      messages: [{ key: message.key, value: message.value, ...(message.headers ? { headers: message.headers } : {}) }],
    });
    if (!meta || meta.baseOffset === undefined) throw new Error(`no offset for a message to ${topic}`);
    return { topic, partition: meta.partition, offset: Number(meta.baseOffset) };
  }

  /** Resolves when every group consuming each message's topic has committed past it. `check` runs on every poll (liveness). */
  async waitProcessed(messages: readonly Published[], check: () => void, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const pending = new Set(messages.flatMap((m) => (this.groups[m.topic] ?? []).map((group) => ({ ...m, group }))));
    while (pending.size > 0) {
      check();
      const committed = new Map<string, number>();
      for (const { group, topic } of pending) {
        if (committed.has(`${group}|${topic}|`)) continue;
        committed.set(`${group}|${topic}|`, 0);
        const [offsets] = await this.admin.fetchOffsets({ groupId: group, topics: [topic] });
        for (const p of offsets?.partitions ?? []) committed.set(`${group}|${topic}|${p.partition}`, Number(p.offset));
      }
      for (const item of [...pending]) {
        if ((committed.get(`${item.group}|${item.topic}|${item.partition}`) ?? -1) > item.offset) pending.delete(item);
      }
      if (pending.size === 0) break;
      if (Date.now() > deadline) {
        const left = [...pending].slice(0, 5).map((p) => `${p.group} @ ${coordinates(p.topic, p.partition, p.offset)}`);
        throw new Error(`consumers did not get past ${pending.size} message(s) within ${timeoutMs} ms: ${left.join(', ')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.readDeadLettersToEnd(deadline);
  }

  /** The dead letters of one published message (one per group that gave up on it). */
  deadLettersOf(m: Published): DeadLetterSeen[] {
    return this.dead.get(coordinates(m.topic, m.partition, m.offset)) ?? [];
  }

  /** Every dead letter seen, by original coordinates (to compare with readDeadLetters). */
  allDeadLetters(): Map<string, DeadLetterSeen[]> {
    return this.dead;
  }

  groupsOf(topic: string): readonly string[] {
    return this.groups[topic] ?? [];
  }

  private async readDeadLettersToEnd(deadline: number): Promise<void> {
    for (const topic of this.dltTopics) {
      for (const { partition, high } of await this.admin.fetchTopicOffsets(topic)) {
        while ((this.readUpTo.get(`${topic}/${partition}`) ?? 0) < Number(high)) {
          if (Date.now() > deadline) throw new Error(`did not read ${topic}/${partition} up to ${high}`);
          await new Promise((r) => setTimeout(r, 25));
        }
      }
    }
  }

  private async waitForTopics(topics: string[]): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const existing = new Set(await this.admin.listTopics());
      if (topics.every((t) => existing.has(t))) return;
      if (Date.now() > deadline) throw new Error(`topics never appeared: ${topics.filter((t) => !existing.has(t)).join(', ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

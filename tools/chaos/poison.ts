import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';

export interface PoisonRecord {
  eventId: string;
  eventType: string;
  key: string;
  at: string;
}

/** Payloads that break their event's contract; the envelope itself is valid, so the event is "known but invalid" (SPEC §4 → DLT). */
const INVALID_DATA: Record<string, unknown> = {
  OrderPlaced: { items: 'not-a-list', totalAmount: -1 },
  OrderCancelled: { reason: 42 },
};

/**
 * Publishes one poison message on the order topic: a known event type with an invalid payload, under
 * a key no order has (so no real order's per-key ordering is touched). Every group consuming the topic
 * must park it in the DLT and carry on.
 */
export async function injectPoison(kafka: Kafka, topic: string, eventType: keyof typeof INVALID_DATA & string): Promise<PoisonRecord> {
  const eventId = randomUUID();
  const key = randomUUID();
  const correlationId = randomUUID();
  const envelope = {
    eventId,
    eventType,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'chaos',
    correlationId,
    causationId: null,
    data: { orderId: key, ...(INVALID_DATA[eventType] as object) },
  };
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key, value: JSON.stringify(envelope), headers: { eventType, eventId, version: '1', correlationId } }],
    });
  } finally {
    await producer.disconnect();
  }
  return { eventId, eventType, key, at: new Date().toISOString() };
}

import { z } from 'zod';
import { envelopeSchema } from '../contracts/envelope.js';
import { EVENTS, type EventType } from '../contracts/events.js';
import { DLT_HEADERS } from '../kafka/DeadLetterPublisher.js';
import { HEADERS } from '../contracts/headers.js';
import { TOPICS, dltTopicOf } from '../contracts/topics.js';

const PRODUCERS: Record<string, string> = { [TOPICS.orderEvents]: 'orderservice', [TOPICS.inventoryEvents]: 'inventoryservice' };
const CONSUMERS: Record<string, string[]> = {
  [TOPICS.orderEvents]: ['inventoryservice', 'notificationservice'],
  [TOPICS.inventoryEvents]: ['orderservice'],
};

const channelId = (topic: string): string => topic.replace(/[^A-Za-z0-9]/g, '_');
const jsonSchema = (schema: z.ZodType): Record<string, unknown> => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const headersSchema = {
  type: 'object',
  required: [HEADERS.eventType, HEADERS.eventId, HEADERS.version, HEADERS.correlationId, HEADERS.traceparent],
  properties: Object.fromEntries(Object.values(HEADERS).map((h) => [h, { type: 'string' }])),
};

/**
 * The AsyncAPI 3.0 description of every event, generated from the zod contracts in ./contracts,
 * so the document cannot drift from the code (a test compares it with the checked-in copy).
 */
export function buildAsyncApiDocument(): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  const channels: Record<string, { address: string; description: string; messages: Record<string, unknown> }> = {};
  const operations: Record<string, unknown> = {};

  for (const [eventType, definition] of Object.entries(EVENTS) as Array<[EventType, (typeof EVENTS)[EventType]]>) {
    const channel = (channels[channelId(definition.topic)] ??= {
      address: definition.topic,
      description: `Key: orderId (per-order ordering). Produced by ${PRODUCERS[definition.topic]}; consumed by ${CONSUMERS[definition.topic]?.join(', ')}.`,
      messages: {},
    });
    for (const [version, { schema }] of Object.entries(definition.versions)) {
      const name = `${eventType}V${version}`;
      messages[name] = {
        name,
        title: `${eventType} v${version}`,
        contentType: 'application/json',
        headers: headersSchema,
        payload: {
          ...jsonSchema(
            envelopeSchema.extend({ eventType: z.literal(eventType), version: z.literal(Number(version)), data: schema as z.ZodType }),
          ),
        },
      };
      channel.messages[name] = { $ref: `#/components/messages/${name}` };
    }
  }
  for (const topic of Object.values(TOPICS)) {
    const id = channelId(topic);
    const refs = Object.keys(channels[id]!.messages).map((name) => ({ $ref: `#/channels/${id}/messages/${name}` }));
    operations[`${PRODUCERS[topic]}Publishes_${id}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${id}` },
      summary: `${PRODUCERS[topic]} publishes through its outbox`,
      messages: refs,
    };
    for (const consumer of CONSUMERS[topic] ?? []) {
      operations[`${consumer}Consumes_${id}`] = {
        action: 'receive',
        channel: { $ref: `#/channels/${id}` },
        summary: `${consumer} consumes (group ${consumer})`,
        messages: refs,
      };
    }
    channels[channelId(dltTopicOf(topic))] = {
      address: dltTopicOf(topic),
      description: `Dead letters of ${topic}: the original key, value and headers, plus ${Object.values(DLT_HEADERS).join(', ')}.`,
      messages: {},
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Order platform events',
      version: '1.0.0',
      description:
        'Events of the order saga (SPEC §4). Envelope fields are repeated in Kafka headers. Consumers accept every version they know; unknown event types are skipped; a known type with an invalid payload goes to the DLT.',
    },
    defaultContentType: 'application/json',
    servers: { local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'The local stack (npm run stack:up)' } },
    channels,
    operations,
    components: { messages },
  };
}

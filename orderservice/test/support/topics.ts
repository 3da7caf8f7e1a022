import { readHeaders } from '@orderplatform/shared/contracts';
import { testKafka, uniqueName } from '../../../test/support/infra.js';
import { eventually } from '../../../tools/lib/eventually.js';

export interface ReadMessage {
  key: string | undefined;
  value: Record<string, unknown>;
  headers: Record<string, string>;
  partition: number;
}

/** How many messages were ever written to the topic (sum of the partitions' high watermarks). */
export async function messageCount(topic: string): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Reads the topic from the beginning with a fresh group until `until` holds for what was read. */
export async function readTopic(
  topic: string,
  until: (messages: ReadMessage[]) => boolean,
  what = `messages on ${topic}`,
): Promise<ReadMessage[]> {
  const consumer = testKafka().consumer({ groupId: uniqueName('reader') });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        messages.push({
          key: message.key?.toString(),
          value: JSON.parse(message.value?.toString() ?? 'null') as Record<string, unknown>,
          headers: readHeaders(message.headers),
          partition,
        });
      },
    });
    await eventually(() => messages, until, what);
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

import type { KafkaMessage, Producer } from 'kafkajs';
import { dltTopicOf } from '../contracts/topics.js';

/** Headers a DLT message carries besides the original ones (SPEC §5). */
export const DLT_HEADERS = {
  originalTopic: 'dlt.original.topic',
  originalPartition: 'dlt.original.partition',
  originalOffset: 'dlt.original.offset',
  errorClass: 'dlt.error.class',
  errorMessage: 'dlt.error.message',
  attempts: 'dlt.attempts',
  failedAt: 'dlt.failed.at',
  consumerGroup: 'dlt.consumer.group',
  /** On a replayed message (`npm run dlt -- replay --group G`): only group G handles it; every other group skips it. */
  replayGroup: 'dlt.replay.group',
} as const;

export interface DeadLetter {
  topic: string;
  partition: number;
  message: KafkaMessage;
  error: { name: string; message: string };
  attempts: number;
  group: string;
}

/** Parks a message in `<topic>.DLT`: same key and value, original headers kept, failure described in headers. */
export class DeadLetterPublisher {
  constructor(private readonly producer: Producer) {}

  async publish(dead: DeadLetter): Promise<void> {
    const original = Object.fromEntries(Object.entries(dead.message.headers ?? {}).filter(([name]) => !name.startsWith('dlt.')));
    await this.producer.send({
      topic: dltTopicOf(dead.topic),
      acks: -1,
      messages: [
        {
          key: dead.message.key,
          value: dead.message.value,
          headers: {
            ...original,
            [DLT_HEADERS.originalTopic]: dead.topic,
            [DLT_HEADERS.originalPartition]: String(dead.partition),
            [DLT_HEADERS.originalOffset]: dead.message.offset,
            [DLT_HEADERS.errorClass]: dead.error.name,
            [DLT_HEADERS.errorMessage]: dead.error.message.slice(0, 1000),
            [DLT_HEADERS.attempts]: String(dead.attempts),
            [DLT_HEADERS.failedAt]: new Date().toISOString(),
            [DLT_HEADERS.consumerGroup]: dead.group,
          },
        },
      ],
    });
  }
}

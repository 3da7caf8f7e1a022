import type { Consumer, Producer } from 'kafkajs';
import { metrics } from '../metrics/metrics.js';

/**
 * Counts every Kafka protocol request a producer or consumer sends (kafkajs instrumentation) into
 * kafka_requests_total: Kafka round trips per order are the benchmark's yardstick next to database
 * commands. kafkajs builds the event only when someone listens; the cost is one counter increment.
 */
export function countKafkaRequests(client: Producer | Consumer, kind: 'producer' | 'consumer'): void {
  const onRequest = (event: { payload: { apiName: string } }): void =>
    metrics.kafkaRequests.inc({ client: kind, api: event.payload.apiName });
  if (kind === 'producer') (client as Producer).on((client as Producer).events.REQUEST, onRequest);
  else (client as Consumer).on((client as Consumer).events.REQUEST, onRequest);
}

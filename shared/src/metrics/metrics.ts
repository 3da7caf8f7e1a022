import client from 'prom-client';

/** The platform's Prometheus metrics (SPEC §7), registered once per process in the default registry. */
export const metricsRegistry = client.register;

const counter = (name: string, help: string, labelNames: string[]): client.Counter<string> =>
  (metricsRegistry.getSingleMetric(name) as client.Counter<string> | undefined) ?? new client.Counter({ name, help, labelNames });
const gauge = (name: string, help: string, labelNames: string[]): client.Gauge<string> =>
  (metricsRegistry.getSingleMetric(name) as client.Gauge<string> | undefined) ?? new client.Gauge({ name, help, labelNames });
const histogram = (name: string, help: string, labelNames: string[], buckets: number[]): client.Histogram<string> =>
  (metricsRegistry.getSingleMetric(name) as client.Histogram<string> | undefined) ?? new client.Histogram({ name, help, labelNames, buckets });

export const metrics = {
  httpRequestDuration: histogram('http_request_duration_seconds', 'HTTP request duration', ['method', 'route', 'status'], [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]),
  eventsPublished: counter('events_published_total', 'Events published to Kafka by the outbox relay', ['topic', 'event_type']),
  publishLatency: histogram('outbox_publish_latency_seconds', 'Time from the committed write to the event being acknowledged by Kafka', ['topic'], [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5]),
  outboxBacklog: gauge('outbox_backlog', 'Documents with events not yet published, as last seen by the relay', ['collection']),
  outboxParked: counter('outbox_parked_total', 'Documents whose events the broker refused for good (kept in the document, skipped by the relay)', ['collection', 'reason']),
  eventsConsumed: counter('events_consumed_total', 'Events handled successfully', ['topic', 'event_type']),
  eventsDuplicate: counter('events_duplicate_total', 'Events skipped because they were already processed', ['topic', 'event_type']),
  eventsSkipped: counter('events_skipped_total', 'Events of unknown type skipped', ['topic', 'event_type']),
  eventsFailed: counter('events_failed_total', 'Handler attempts that failed', ['topic', 'event_type', 'error_class']),
  eventsDeadLettered: counter('events_dead_lettered_total', 'Events sent to the dead-letter topic', ['topic', 'event_type']),
  consumerLag: gauge('kafka_consumer_lag', 'Messages behind the high watermark, per partition', ['group', 'topic', 'partition']),
  notifications: counter(
    'notifications_total',
    'Notification outcomes per channel: sent, failed, skipped (with reason NO_CONTACT or CHANNEL_DISABLED), already_sent / already_skipped (a redelivery)',
    ['channel', 'event_type', 'outcome', 'reason'],
  ),
  serviceReady: gauge('service_ready', 'What /health/ready says at scrape time: 1 ready, 0 a dependency is down', []),
  dependencyUp: gauge('service_dependency_up', 'Each readiness check at scrape time: 1 up, 0 down', ['dependency']),
  dbCommands: counter('db_commands_total', 'MongoDB commands the driver sent, by command name (insert, update, findAndModify, find, getMore…)', ['command']),
  kafkaRequests: counter('kafka_requests_total', 'Kafka protocol requests sent by the producer and the consumers, by client and API (Produce, Fetch, OffsetCommit…)', ['client', 'api']),
  sagaDuration: histogram('saga_duration_seconds', 'Time from PENDING to a terminal state', ['outcome'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300]),
};

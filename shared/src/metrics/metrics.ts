import client from 'prom-client';

/** The process's Prometheus registry (SPEC §7): what /metrics serves. */
export const metricsRegistry = client.register;

export type Counter = client.Counter<string>;
export type Gauge = client.Gauge<string>;
export type Histogram = client.Histogram<string>;

// Each metric is registered once per process; defining it again (a second module instance, a test
// re-importing) returns the registered one instead of throwing.
export const defineCounter = (name: string, help: string, labelNames: string[]): Counter =>
  (metricsRegistry.getSingleMetric(name) as Counter | undefined) ?? new client.Counter({ name, help, labelNames });
export const defineGauge = (name: string, help: string, labelNames: string[]): Gauge =>
  (metricsRegistry.getSingleMetric(name) as Gauge | undefined) ?? new client.Gauge({ name, help, labelNames });
export const defineHistogram = (name: string, help: string, labelNames: string[], buckets: number[]): Histogram =>
  (metricsRegistry.getSingleMetric(name) as Histogram | undefined) ?? new client.Histogram({ name, help, labelNames, buckets });

/** The kit's metrics: HTTP, outbox, consumers, readiness, database and Kafka requests. A service's own metrics live in its src/metrics.ts. */
export const metrics = {
  httpRequestDuration: defineHistogram(
    'http_request_duration_seconds',
    'HTTP request duration',
    ['method', 'route', 'status'],
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  ),
  eventsPublished: defineCounter('events_published_total', 'Events published to Kafka by the outbox relay', ['topic', 'event_type']),
  publishLatency: defineHistogram(
    'outbox_publish_latency_seconds',
    'Time from the committed write to the event being acknowledged by Kafka',
    ['topic'],
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
  ),
  outboxBacklog: defineGauge('outbox_backlog', 'Documents with events not yet published, as last seen by the relay', ['collection']),
  outboxParked: defineCounter(
    'outbox_parked_total',
    'Documents whose events the broker refused for good (kept in the document, skipped by the relay)',
    ['collection', 'reason'],
  ),
  eventsConsumed: defineCounter('events_consumed_total', 'Events handled successfully', ['topic', 'event_type']),
  eventsDuplicate: defineCounter('events_duplicate_total', 'Events skipped because they were already processed', ['topic', 'event_type']),
  eventsSkipped: defineCounter('events_skipped_total', 'Events of unknown type skipped', ['topic', 'event_type']),
  eventsFailed: defineCounter('events_failed_total', 'Handler attempts that failed', ['topic', 'event_type', 'error_class']),
  eventsDeadLettered: defineCounter('events_dead_lettered_total', 'Events sent to the dead-letter topic', ['topic', 'event_type']),
  consumerLag: defineGauge('kafka_consumer_lag', 'Messages behind the high watermark, per partition', ['group', 'topic', 'partition']),
  serviceReady: defineGauge('service_ready', 'What /health/ready says at scrape time: 1 ready, 0 a dependency is down', []),
  dependencyUp: defineGauge('service_dependency_up', 'Each readiness check at scrape time: 1 up, 0 down', ['dependency']),
  dbCommands: defineCounter(
    'db_commands_total',
    'MongoDB commands the driver sent, by command name (insert, update, findAndModify, find, getMore…)',
    ['command'],
  ),
  kafkaRequests: defineCounter(
    'kafka_requests_total',
    'Kafka protocol requests sent by the producer and the consumers, by client and API (Produce, Fetch, OffsetCommit…)',
    ['client', 'api'],
  ),
};

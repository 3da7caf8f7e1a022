import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { metricsRegistry } from '@orderplatform/shared/metrics';
// Each service's own metrics join the kit's in the one registry, as they do in that service's process.
import '@orderplatform/notificationservice/metrics';
import '@orderplatform/orderservice/metrics';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'infra', 'prometheus');

/** promtool from Debian's `prometheus` package (.ci/run installs it); a missing promtool fails the test. */
function promtool(...args: string[]): string {
  const run = spawnSync('promtool', args, { cwd: DIR, encoding: 'utf8', timeout: 60_000 });
  if (run.error)
    throw new Error(
      `promtool could not run (${run.error.message}): install Debian's prometheus package (apt-get install prometheus), as .ci/run does`,
    );
  const output = `${run.stdout}${run.stderr}`;
  expect(run.status, output).toBe(0);
  return output;
}

interface ScrapeConfig {
  job_name: string;
  metrics_path: string;
  static_configs: Array<{ targets: string[]; labels: { service: string } }>;
}
const config = (file: string) =>
  parse(readFileSync(path.join(DIR, file), 'utf8')) as { rule_files: string[]; scrape_configs: ScrapeConfig[] };
const exprs = () =>
  (
    parse(readFileSync(path.join(DIR, 'alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }
  ).groups.flatMap((g) => g.rules);

describe('the Prometheus files (infra/prometheus)', () => {
  it.each(['prometheus.yml', 'prometheus.docker.yml'])('promtool accepts %s and the alert rules it loads', (file) => {
    expect(promtool('check', 'config', file)).toMatch(/SUCCESS: 7 rules found/);
  });

  it('promtool accepts alerts.yml, and every alert fires on its synthetic series and stays quiet on a healthy one (alerts.test.yml)', () => {
    expect(promtool('check', 'rules', 'alerts.yml')).toMatch(/SUCCESS: 7 rules found/);
    expect(promtool('test', 'rules', 'alerts.test.yml')).toMatch(/SUCCESS/);
  });

  it('the local and the docker configuration scrape the same three services with the same job, labels and rules', () => {
    const local = config('prometheus.yml');
    const docker = config('prometheus.docker.yml');
    const shape = (c: typeof local) => ({
      rules: c.rule_files,
      jobs: c.scrape_configs.map((j) => ({ ...j, static_configs: j.static_configs.map((s) => s.labels.service) })),
    });

    expect(shape(docker)).toEqual(shape(local));
    expect(local.scrape_configs[0]!.static_configs.map((s) => [s.labels.service, s.targets])).toEqual([
      ['orderservice', ['127.0.0.1:3001']],
      ['notificationservice', ['127.0.0.1:3002']],
      ['inventoryservice', ['127.0.0.1:3003']],
    ]);
    expect(docker.scrape_configs[0]!.static_configs.map((s) => s.targets[0])).toEqual([
      'orderservice:3001',
      'notificationservice:3002',
      'inventoryservice:3003',
    ]);
  });

  it("the alert rules use only metrics the services export (the kit metrics in shared, each service's own in its src/metrics.ts)", async () => {
    const exported = new Set(
      (await metricsRegistry.getMetricsAsJSON()).flatMap((m) =>
        String(m.type) === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name],
      ),
    );
    exported.add('up'); // Prometheus' own, per target
    const used = exprs().flatMap((r) => [...r.expr.matchAll(/([a-z_:]+)\{job="orderplatform"\}/g)].map((m) => m[1]!));

    expect([...new Set(used)].sort()).toEqual([
      'events_consumed_total',
      'events_dead_lettered_total',
      'events_published_total',
      'kafka_consumer_lag',
      'outbox_backlog',
      'saga_duration_seconds_bucket',
      'service_ready',
      'up',
    ]);
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
    expect(exprs().map((r) => r.alert)).toEqual([
      'ServiceDown',
      'ServiceNotReady',
      'KafkaConsumerLagGrowing',
      'KafkaConsumerStalled',
      'DeadLetterTopicReceiving',
      'OutboxBacklogNotDraining',
      'SagaP99TooSlow',
    ]);
  });
});

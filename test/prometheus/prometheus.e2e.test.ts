import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { eventually } from '../../tools/lib/eventually.js';
import { freePort } from '../../tools/lib/serviceProcess.js';
import { http } from '../support/http.js';
import { uniqueName } from '../support/infra.js';
import { isolatedTopicsEnv, startService, type RunningService, type ServiceName } from '../support/services.js';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'infra', 'prometheus');

interface PrometheusConfig {
  global: Record<string, string>;
  rule_files: string[];
  scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[]; labels: { service: ServiceName } }> }>;
}

/**
 * infra/prometheus/prometheus.yml as it is — job, labels, metrics path, alert rules — with each target
 * moved to the port its service runs on in this test and a 1 s scrape interval.
 */
function configFor(services: Record<ServiceName, RunningService>): PrometheusConfig {
  const config = parse(readFileSync(path.join(DIR, 'prometheus.yml'), 'utf8')) as PrometheusConfig;
  config.global = { ...config.global, scrape_interval: '1s', evaluation_interval: '1s' };
  config.rule_files = config.rule_files.map((file) => path.join(DIR, file));
  for (const job of config.scrape_configs)
    for (const target of job.static_configs) target.targets = [`127.0.0.1:${services[target.labels.service].port}`];
  return config;
}

/** Prometheus answers within a minute; an answer it cannot give yet (not listening, a failed expectation) counts as none. */
const PROMETHEUS_WAIT_MS = 60_000;

/** The real Prometheus (Debian's `prometheus` package) scraping the three services as processes. */
describe('Prometheus with the shipped configuration', () => {
  const env = isolatedTopicsEnv(uniqueName('prom'));
  const services = {} as Record<ServiceName, RunningService>;
  const workDir = mkdtempSync(path.join(tmpdir(), 'prometheus-'));
  let prometheus: ChildProcess;
  let prometheusUrl: string;
  let prometheusLog = '';

  beforeAll(async () => {
    const names: ServiceName[] = ['orderservice', 'inventoryservice', 'notificationservice'];
    const started = await Promise.all(
      names.map((name) => startService(name, { dbName: uniqueName(name), env: { ...env, SEED_CATALOG: 'true' } })),
    );
    for (const service of started) services[service.name] = service;

    writeFileSync(path.join(workDir, 'prometheus.yml'), stringify(configFor(services)));
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${path.join(workDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(workDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const spawned = new Promise<void>((resolve, reject) => {
      prometheus.once('spawn', resolve);
      prometheus.once('error', (err) =>
        reject(new Error(`prometheus could not start (${err.message}): install Debian's prometheus package, as .ci/run does`)),
      );
    });
    prometheus.stdout!.on('data', (d: Buffer) => (prometheusLog += d.toString()));
    prometheus.stderr!.on('data', (d: Buffer) => (prometheusLog += d.toString()));
    await spawned;
    await eventually(
      () => http('GET', `${prometheusUrl}/-/ready`).then((res) => res.status, String),
      (status) => status === 200,
      () => `prometheus ready\n${prometheusLog.slice(-2000)}`,
      PROMETHEUS_WAIT_MS,
      250,
    );
  }, 180_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await Promise.all(Object.values(services).map((s) => s.stop()));
    rmSync(workDir, { recursive: true, force: true });
  });

  const api = async <T>(pathAndQuery: string): Promise<T> => {
    const { body } = await http<{ status: string; data: T }>('GET', `${prometheusUrl}/api/v1/${pathAndQuery}`);
    expect(body.status).toBe('success');
    return body.data;
  };
  const query = (promql: string) =>
    api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(`query?query=${encodeURIComponent(promql)}`);

  it('scrapes every service: each target is up, labelled with its service', async () => {
    type Targets = { activeTargets: Array<{ health: string; labels: Record<string, string>; lastError: string; scrapeUrl: string }> };
    const targets = await eventually(
      () => api<Targets>('targets?state=active').catch(() => undefined),
      (data) => data !== undefined && data.activeTargets.length === 3 && data.activeTargets.every((t) => t.health === 'up'),
      'all three targets up',
      PROMETHEUS_WAIT_MS,
      250,
    ).catch(async (err: Error) => {
      throw new Error(
        `${err.message}: ${JSON.stringify((await api<Targets>('targets')).activeTargets.map((t) => [t.scrapeUrl, t.health, t.lastError]))}`,
      );
    });

    expect(targets!.activeTargets.map((t) => [t.labels.job, t.labels.service, t.scrapeUrl]).sort()).toEqual(
      (['inventoryservice', 'notificationservice', 'orderservice'] as const).map((name) => [
        'orderplatform',
        name,
        `${services[name].url}/metrics`,
      ]),
    );
  });

  it('loads the seven alert rules, and sees every service ready and an order saga in the metrics', async () => {
    const rules = await api<{ groups: Array<{ rules: Array<{ name: string; type: string; health: string }> }> }>('rules?type=alert');
    const placed = await http('POST', `${services.orderservice.url}/api/orders`, {
      customerId: 'prom-1',
      items: [{ productId: '1', quantity: 1, price: 2.5 }],
    });
    expect(placed.status).toBe(201);
    const settled = await http(
      'GET',
      `${services.orderservice.url}/api/orders/${placed.body.data.id}?waitFor=CONFIRMED,CANCELLED&timeoutMs=20000`,
    );
    expect(settled.body.data.status).toBe('CONFIRMED');

    const resultOf = (promql: string) =>
      query(promql).then(
        ({ result }) => result,
        () => undefined,
      );
    const ready = await eventually(
      () => resultOf('service_ready{job="orderplatform"} == 1'),
      (result) => result?.length === 3,
      'service_ready of the three services',
      PROMETHEUS_WAIT_MS,
      250,
    );
    const sagas = await eventually(
      () => resultOf('sum(saga_duration_seconds_count{job="orderplatform"})'),
      (result) => Number(result?.[0]?.value[1]) >= 1,
      'a saga in saga_duration_seconds',
      PROMETHEUS_WAIT_MS,
      250,
    );

    expect(rules.groups.flatMap((g) => g.rules).map((r) => [r.name, r.health === 'err' ? 'err' : 'ok'])).toEqual(
      [
        'ServiceDown',
        'ServiceNotReady',
        'KafkaConsumerLagGrowing',
        'KafkaConsumerStalled',
        'DeadLetterTopicReceiving',
        'OutboxBacklogNotDraining',
        'SagaP99TooSlow',
      ].map((name) => [name, 'ok']),
    );
    expect(ready!.map((r) => r.metric.service).sort()).toEqual(['inventoryservice', 'notificationservice', 'orderservice']);
    expect(Number(sagas![0]!.value[1])).toBeGreaterThanOrEqual(1);
  });
});

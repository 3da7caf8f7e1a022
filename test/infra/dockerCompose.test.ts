import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/local/lib/config.js';

/**
 * docker-compose.yml, loaded per profile by the Compose Specification's own loader (compose-go, what
 * Docker Compose v2 runs) through tools/compose-check: there is no Docker engine here to `up` it.
 */
const run = promisify(execFile);
const CHECKER = path.join(REPO_ROOT, 'tools', 'compose-check');
const COMPOSE_FILE = path.join(REPO_ROOT, 'docker-compose.yml');
const PROFILES = ['', 'cluster'];
const SCALED = ['orderservice', 'inventoryservice', 'notificationservice'];
const CLUSTER = ['kafka-1', 'kafka-2', 'kafka-3'];

interface LoadedService {
  build?: { context: string; dockerfile: string; args: Record<string, string> };
  containerName?: string;
  ports: Array<{ hostIp: string; published: string; target: number }>;
  dependsOn: Record<string, boolean>;
  environment: Record<string, string>;
  volumes: string[];
}
type Loaded = Record<string, { services: Record<string, LoadedService>; disabled: string[] }>;

function goBinary(): string {
  const candidates = [...(process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'go')), '/usr/local/go/bin/go'];
  const found = candidates.find((file) => existsSync(file));
  if (!found)
    throw new Error('go not found on PATH or in /usr/local/go/bin: install Go (the CI script .ci/run does) to validate docker-compose.yml');
  return found;
}

/** What a user exports before `docker compose up`: the file refuses to start without these secrets. */
const USER_SECRETS = {
  ADMIN_API_KEY: 'compose-check-admin-key-0123456789',
  AUTH_JWT_SECRET: 'compose-check-jwt-secret-0123456789-0123456789',
};

async function load(file: string, profiles: string[], env: Record<string, string> = USER_SECRETS): Promise<Loaded> {
  const { stdout } = await run(goBinary(), ['run', '.', file, ...profiles], {
    cwd: CHECKER,
    env: { ...process.env, GOFLAGS: '-mod=mod', ...env },
    maxBuffer: 10 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Loaded;
}

/** What stops `docker compose up --scale <service>=N`: a fixed container name, or a fixed host port (two containers cannot bind it). */
function scalingProblems(loaded: Loaded): string[] {
  const problems: string[] = [];
  for (const [profile, { services }] of Object.entries(loaded)) {
    for (const name of SCALED) {
      const service = services[name];
      if (!service) problems.push(`${profile || 'default'}: ${name} missing`);
      else {
        if (service.containerName) problems.push(`${profile || 'default'}: ${name} has container_name ${service.containerName}`);
        const fixed = service.ports.filter((p) => p.published !== '' && !p.published.includes('-'));
        if (fixed.length > 0)
          problems.push(`${profile || 'default'}: ${name} publishes fixed host port ${fixed.map((p) => p.published).join(', ')}`);
      }
    }
    const hostPorts = Object.entries(services).flatMap(([name, s]) =>
      s.ports.filter((p) => p.published !== '').map((p) => ({ name, key: `${p.hostIp || '0.0.0.0'}:${p.published}` })),
    );
    for (const { name, key } of hostPorts) {
      const holders = hostPorts.filter((p) => p.key === key).map((p) => p.name);
      if (holders.length > 1 && holders[0] === name)
        problems.push(`${profile || 'default'}: host port ${key} published by ${holders.join(' and ')}`);
    }
  }
  return problems;
}

describe('docker-compose.yml under the Compose Specification loader', () => {
  let loaded: Loaded;

  // The first run builds the checker (and, on a fresh machine, downloads compose-go through the Go module proxy).
  beforeAll(async () => {
    loaded = await load(COMPOSE_FILE, PROFILES);
  }, 300_000);

  it('loads with no profile (one broker) and with --profile cluster (three more nodes)', () => {
    expect(Object.keys(loaded).sort()).toEqual(PROFILES);
    const always = ['gateway', 'inventoryservice', 'kafka', 'kafka-ui', 'mongodb', 'notificationservice', 'orderservice', 'prometheus'];
    expect(Object.keys(loaded['']!.services).sort()).toEqual(always);
    expect(loaded['']!.disabled).toEqual(CLUSTER);
    expect(Object.keys(loaded.cluster!.services).sort()).toEqual([...always, ...CLUSTER].sort());
  });

  it('lets every service scale: no container_name, no fixed host port, no host port published twice', () => {
    expect(scalingProblems(loaded)).toEqual([]);
    // The gateway holds the services' host ports, one per service.
    expect(loaded['']!.services.gateway!.ports.map((p) => `${p.hostIp}:${p.published}->${p.target}`)).toEqual([
      '127.0.0.1:3001->3001',
      '127.0.0.1:3002->3002',
      '127.0.0.1:3003->3003',
    ]);
    const gatewayConf = readFileSync(path.join(REPO_ROOT, 'infra', 'compose', 'gateway.conf'), 'utf8');
    for (const [service, port] of [
      ['orderservice', 3001],
      ['notificationservice', 3002],
      ['inventoryservice', 3003],
    ] as const) {
      expect(gatewayConf).toContain(`listen ${port};`);
      expect(gatewayConf).toContain(`http://${service}:${port};`);
    }
  });

  it('builds the three services from the one Dockerfile, each with its SERVICE and PORT build arguments', () => {
    const ports = { orderservice: '3001', notificationservice: '3002', inventoryservice: '3003' };
    for (const name of SCALED) {
      expect(loaded['']!.services[name]!.build, name).toEqual({
        context: REPO_ROOT,
        dockerfile: 'Dockerfile',
        args: { SERVICE: name, PORT: ports[name as keyof typeof ports] },
      });
      expect(existsSync(path.join(REPO_ROOT, name, 'Dockerfile')), `${name}/Dockerfile`).toBe(false);
    }
    const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
    // Each stage declares what it uses (an ARG before FROM is not visible inside a stage).
    expect(
      dockerfile
        .split(/^FROM /m)
        .slice(1)
        .map((stage) => stage.match(/^ARG \w+$/gm)),
    ).toEqual([['ARG SERVICE'], ['ARG SERVICE', 'ARG PORT']]);
    expect(dockerfile).toMatch(/^RUN npm run build -w \$\{SERVICE\}$/m);
    expect(dockerfile).toMatch(/^ENV .*PORT=\$\{PORT\} SERVICE=\$\{SERVICE\}$/m);
  });

  it('runs the cluster as three voters of one quorum that replicate every partition three times, min.insync.replicas 2', () => {
    const nodes = CLUSTER.map((name) => loaded.cluster!.services[name]!.environment);
    expect(nodes.map((env) => env.KAFKA_NODE_ID)).toEqual(['1', '2', '3']);
    for (const env of nodes) {
      expect(env).toMatchObject({
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093',
        KAFKA_DEFAULT_REPLICATION_FACTOR: '3',
        KAFKA_MIN_INSYNC_REPLICAS: '2',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '3',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '3',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '2',
      });
    }
    expect(new Set(nodes.map((env) => env.CLUSTER_ID)).size).toBe(1);
    expect(new Set(CLUSTER.flatMap((name) => loaded.cluster!.services[name]!.volumes)).size).toBe(3);
  });

  it('points the services at the single broker by default and at the cluster with PLATFORM_KAFKA_BROKERS, depending on whichever runs', async () => {
    const cluster = await load(COMPOSE_FILE, ['cluster'], {
      ...USER_SECRETS,
      PLATFORM_KAFKA_BROKERS: 'kafka-1:29092,kafka-2:29092,kafka-3:29092',
    });
    for (const name of SCALED) {
      expect(loaded['']!.services[name]!.environment.KAFKA_BROKERS).toBe('kafka:29092');
      expect(cluster.cluster!.services[name]!.environment.KAFKA_BROKERS).toBe('kafka-1:29092,kafka-2:29092,kafka-3:29092');
      expect(loaded.cluster!.services[name]!.dependsOn).toEqual({
        kafka: false,
        'kafka-1': false,
        'kafka-2': false,
        'kafka-3': false,
        mongodb: true,
      });
    }
  });

  it('the checks fail on a file that breaks them: a fixed name and port on a service, a required dependency on a disabled one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'compose-check-'));
    try {
      const original = readFileSync(COMPOSE_FILE, 'utf8');
      const pinned = path.join(dir, 'pinned.yml');
      writeFileSync(pinned, original.replace("    expose: ['3001']\n", "    container_name: orders\n    ports: ['127.0.0.1:3001:3001']\n"));
      expect(scalingProblems(await load(pinned, PROFILES))).toEqual([
        'default: orderservice has container_name orders',
        'default: orderservice publishes fixed host port 3001',
        'default: host port 127.0.0.1:3001 published by gateway and orderservice',
        'cluster: orderservice has container_name orders',
        'cluster: orderservice publishes fixed host port 3001',
        'cluster: host port 127.0.0.1:3001 published by gateway and orderservice',
      ]);
      const required = path.join(dir, 'required.yml');
      writeFileSync(
        required,
        original.replace('kafka-1: { condition: service_healthy, required: false }', 'kafka-1: { condition: service_healthy }'),
      );
      await expect(load(required, [''])).rejects.toThrow('depends on undefined service "kafka-1"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses to load without the production secrets a user must set (no fallback to the dev values)', async () => {
    await expect(load(COMPOSE_FILE, [''], {})).rejects.toThrow(/required variable (ADMIN_API_KEY|AUTH_JWT_SECRET) is missing/);
  });
});

import 'reflect-metadata';
import type { ManagedModel } from '@orderplatform/shared/persistence';
import type { BaseConfig } from '@orderplatform/shared/config';
import { TOPICS } from '@orderplatform/shared/contracts';
import { Outbox } from '@orderplatform/shared/outbox';
import type { CreateService, Infrastructure, Service, ServiceOverrides } from '@orderplatform/shared/runtime';

type Models = Record<string, ManagedModel>;
import { ADMIN_KEY } from './http.js';
import { dbUrlFor, kafkaBrokers, uniqueName } from './infra.js';

/**
 * The one way tests build a service in-process: its own composition root (`src/createService.ts`),
 * with overrides. `unitService` opens nothing; `startTestService` brings up its database (and Kafka
 * when asked) on the test stack. Tests of the service as a process use test/support/services.ts.
 */

/** What every in-process test service reads: test mode, quiet, the admin key tests send, no rate limit in the way. */
export function testEnv(env: Record<string, string> = {}): Record<string, string> {
  return { NODE_ENV: 'test', LOG_LEVEL: 'silent', ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '100000', ...env };
}

export interface TestServiceOptions extends Omit<ServiceOverrides, 'env'> {
  env?: Record<string, string>;
}

/** The service for unit tests: nothing connects (start() is never called); `register` puts the fakes in. */
export function unitService<C extends BaseConfig, M extends Models>(
  create: CreateService<C, M>,
  { env, ...overrides }: TestServiceOptions = {},
): Service<C, M> {
  return create({ ...overrides, env: testEnv(env) });
}

/** Writes events into the documents like the real outbox but never wakes the relay: they stay there to be read. */
class HoldingOutbox extends Outbox {
  constructor(infra: Infrastructure) {
    super(infra.relay, { [TOPICS.orderEvents]: infra.topics.orderEvents, [TOPICS.inventoryEvents]: infra.topics.inventoryEvents });
  }

  override committed(): void {}
}

export interface IntegrationOptions extends TestServiceOptions {
  /** Start Kafka: the service's topics (private to this test), its consumers and the outbox relay. Default false. */
  kafka?: boolean;
  /** Without Kafka: the token the service registers its Outbox under; events then stay in the outbox, where tests read them. */
  holdOutbox?: symbol;
}

export interface TestService<C extends BaseConfig, M extends Models> extends Service<C, M> {
  /** Stops what was started and drops the service's database (unless `drop: false`, when another test service shares it). */
  close(opts?: { drop?: boolean }): Promise<void>;
}

/**
 * The service on its own database (and topics, and consumer group) of the test stack, its
 * collections and indexes created. HTTP is driven through `app` (supertest); no port is opened.
 */
export async function startTestService<C extends BaseConfig, M extends Models>(
  create: CreateService<C, M>,
  name: string,
  options: IntegrationOptions = {},
): Promise<TestService<C, M>> {
  const { kafka = false, holdOutbox, env, register, ...overrides } = options;
  const prefix = uniqueName(name);
  const service = create({
    ...overrides,
    env: testEnv({
      DB_URL: dbUrlFor(prefix),
      KAFKA_BROKERS: kafkaBrokers().join(','),
      ORDER_EVENTS_TOPIC: `${prefix}.order-events`,
      INVENTORY_EVENTS_TOPIC: `${prefix}.inventory-events`,
      CONSUMER_GROUP_ID: prefix,
      ...env,
    }),
    register: (container, infra) => {
      if (holdOutbox) container.registerInstance(holdOutbox, new HoldingOutbox(infra));
      register?.(container, infra);
    },
  });
  service.infra.connect();
  await service.infra.prepareDatabase();
  if (kafka) await service.infra.kafka.start();
  return Object.assign(service, {
    async close({ drop = true }: { drop?: boolean } = {}) {
      if (drop) await service.infra.connection.dropDatabase();
      await service.stop();
    },
  });
}

/** The test service a service's createService makes: `let service: TestServiceOf<typeof createService>`. */
export type TestServiceOf<F> = F extends CreateService<infer C, infer M> ? TestService<C, M> : never;

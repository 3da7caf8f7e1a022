import 'reflect-metadata';
import { loadConfig } from '@orderplatform/shared/config';
import { createLogger } from '@orderplatform/shared/logging';
import type { Infrastructure } from '@orderplatform/shared/runtime';
import type { DependencyContainer } from 'tsyringe';
import { ConfigSchema, type Config } from '../../src/config.js';
import { buildContainer } from '../../src/container.js';
import { TOKENS } from '../../src/tokens.js';
import { InMemoryOrderRepository } from './InMemoryOrderRepository.js';

export const testConfig = (env: Record<string, string> = {}): Config => loadConfig(ConfigSchema, { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });

/**
 * The real container with the repository swapped for the in-memory fake in a child container: the
 * services under test are the production classes, wired the production way.
 */
export function unitContainer(env: Record<string, string> = {}): { container: DependencyContainer; repository: InMemoryOrderRepository } {
  const config = testConfig(env);
  // No database or Kafka in unit tests; nothing resolves the infrastructure once the repository is faked.
  const parent = buildContainer(config, createLogger({ service: 'orderservice-test', level: 'silent' }), {} as Infrastructure);
  const container = parent.createChildContainer();
  const repository = new InMemoryOrderRepository();
  container.register(TOKENS.OrderRepository, { useValue: repository });
  return { container, repository };
}

export const resolve = <T>(container: DependencyContainer, token: symbol): T => container.resolve<T>(token);

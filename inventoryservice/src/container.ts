import 'reflect-metadata';
import type { Infrastructure, Logger } from '@orderplatform/shared';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { Config } from './config.js';
import { TOKENS } from './tokens.js';

/** The only place classes are registered with tsyringe. Tests pass fakes through a child container. */
export function buildContainer(config: Config, logger: Logger, infra: Infrastructure): DependencyContainer {
  const container = rootContainer.createChildContainer();
  container.registerInstance(TOKENS.Config, config);
  container.registerInstance(TOKENS.Logger, logger);
  container.registerInstance(TOKENS.Infrastructure, infra);
  return container;
}

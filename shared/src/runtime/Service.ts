import type { Express } from 'express';
import type { Logger } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import type { BaseConfig } from '../config/defineServiceConfig.js';
import type { ManagedModel } from '../persistence/connectDatabase.js';
import type { Infrastructure } from './createInfrastructure.js';

type Models = Record<string, ManagedModel>;

/**
 * What each service's composition root (`src/createService.ts`) returns. Building it opens nothing:
 * `start()` connects, listens and starts consuming; `stop()` undoes it in order.
 */
export interface Service<C extends BaseConfig = BaseConfig, M extends Models = Models> {
  readonly config: C;
  readonly logger: Logger;
  /** The express app, not listening yet (tests drive it with supertest). */
  readonly app: Express;
  /** Every component of the service, registered by createService. */
  readonly container: DependencyContainer;
  /** Its database (with `models`), Kafka and outbox. */
  readonly infra: Infrastructure<M>;
  /** Connects the database, listens, starts Kafka (after any seed) and the background tasks. */
  start(): Promise<void>;
  /** The service's shutdown steps in order; each is logged, a failing one does not stop the rest. */
  stop(): Promise<void>;
}

export interface ServiceOverrides {
  /** Read instead of process.env. */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /**
   * Runs after the service's own registrations and before anything is resolved: what it registers
   * (fakes for ports, in tests) replaces the service's own.
   */
  register?: (container: DependencyContainer, infra: Infrastructure) => void;
}

export type CreateService<C extends BaseConfig = BaseConfig, M extends Models = Models> = (overrides?: ServiceOverrides) => Service<C, M>;

import type { Server } from 'node:http';
import type { Express } from 'express';
import type { DependencyContainer } from 'tsyringe';
import type { BaseConfig } from '../config/defineServiceConfig.js';
import { runShutdownSteps, type ShutdownStep } from '../lifecycle/registerGracefulShutdown.js';
import { redactUrlCredentials, type Logger } from '../logging/index.js';
import type { ManagedModel } from '../persistence/connectDatabase.js';
import type { Infrastructure } from './createInfrastructure.js';
import type { Service } from './Service.js';
import { seedWhenReady } from './seedWhenReady.js';
import { closeHttpServer, startHttpServer } from './startHttpServer.js';

/** A background loop a service runs while it is up (a sweeper, a reconciler). */
export interface BackgroundTask {
  start(): void;
  stop(): Promise<void>;
}

export interface ServiceParts<C extends BaseConfig, M extends Record<string, ManagedModel>> {
  /** The service's name, as in its "started" log line. */
  name: string;
  config: C;
  logger: Logger;
  app: Express;
  container: DependencyContainer;
  infra: Infrastructure<M>;
  /** A demo seed written once the database answers; consuming starts only after it (an early event must find it). */
  seed?: { what: string; run: () => Promise<unknown> };
  /** Started after the HTTP server listens, stopped after it has closed. */
  background?: Record<string, BackgroundTask>;
  /** Shutdown steps that must run before the HTTP server closes (e.g. answering held long-polls). */
  beforeHttpClose?: ShutdownStep[];
}

/**
 * A service as its composition root returns it, with the start and stop every service shares. `start()`: open the database, listen, seed (when the
 * service has one) and then start Kafka, start the background tasks, log the addresses it uses.
 * `stop()`: whatever must answer first, the HTTP server, the seed, the background tasks, then the
 * infrastructure (consumers, relay, producer, database) — each step logged, a failing one does not
 * stop the rest. Each composition root passes only what differs.
 */
export function serviceLifecycle<C extends BaseConfig, M extends Record<string, ManagedModel>>({
  name,
  config,
  logger,
  app,
  container,
  infra,
  seed,
  background = {},
  beforeHttpClose = [],
}: ServiceParts<C, M>): Service<C, M> {
  const seeding = new AbortController();
  let server: Server | undefined;
  return {
    config,
    logger,
    app,
    container,
    infra,
    async start() {
      infra.connect();
      server = await startHttpServer(app, config.HOST, config.PORT, logger);
      const seeded = seed ? seedWhenReady(seed.what, seed.run, () => infra.prepareDatabase(), logger, seeding.signal) : Promise.resolve();
      void seeded.then(() => infra.kafka.start());
      for (const task of Object.values(background)) task.start();
      logger.info({ db: redactUrlCredentials(config.DB_URL), kafka: config.KAFKA_BROKERS }, `${name} started`);
    },
    stop: () =>
      runShutdownSteps(
        [
          ...beforeHttpClose,
          { name: 'http', run: async () => (server ? closeHttpServer(server) : undefined) },
          ...(seed ? [{ name: 'seed', run: async () => seeding.abort() }] : []),
          ...Object.entries(background).map(([taskName, task]) => ({ name: taskName, run: () => task.stop() })),
          ...infra.shutdownSteps(),
        ],
        logger.child({ component: 'shutdown' }),
      ),
  };
}

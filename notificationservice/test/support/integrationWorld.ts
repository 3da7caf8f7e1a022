import 'reflect-metadata';
import { connectDatabase, initModels } from '@orderplatform/shared/persistence';
import type { Infrastructure } from '@orderplatform/shared/runtime';
import type { Connection } from 'mongoose';
import type { DependencyContainer } from 'tsyringe';
import { dbUrlFor, uniqueName } from '../../../test/support/infra.js';
import { createApp } from '../../src/app.js';
import { buildContainer } from '../../src/container.js';
import type { NotificationProvider, OutgoingMessage } from '../../src/services/ports/NotificationProvider.js';
import { silentLogger } from './logs.js';
import { testConfig } from './unitContainer.js';

/**
 * The service's real container and app against its own database on the test stack (no Kafka:
 * the tests call the service and the HTTP API directly).
 */
export async function integrationWorld(name: string, env: Record<string, string> = {}) {
  const logger = silentLogger();
  const config = testConfig({ DB_URL: dbUrlFor(uniqueName(name)), ...env });
  const connection: Connection = connectDatabase(config.DB_URL, logger);
  const infra = { connection, healthChecks: [] } as unknown as Infrastructure;
  const container: DependencyContainer = buildContainer(config, logger, infra);
  await initModels(connection);
  return {
    config,
    connection,
    container,
    app: createApp(container),
    /** What the mock providers actually delivered, per channel. */
    deliveries: (filter: Record<string, string> = {}) => connection.collection('mock_provider_deliveries').find(filter).toArray(),
    close: async () => {
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

/** Wraps a real provider and counts the calls it gets. */
export class SpyProvider implements NotificationProvider {
  readonly calls: OutgoingMessage[] = [];

  constructor(private readonly inner: NotificationProvider) {}

  get channel() {
    return this.inner.channel;
  }

  send(message: OutgoingMessage): Promise<void> {
    this.calls.push(message);
    return this.inner.send(message);
  }
}

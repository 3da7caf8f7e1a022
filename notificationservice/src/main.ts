import 'reflect-metadata';
import { closeHttpServer, createInfrastructure, createLogger, registerGracefulShutdown, startHttpServer } from '@orderplatform/shared';
import { createApp } from './app.js';
import { loadConfig, SERVICE_NAME } from './config.js';
import { buildContainer } from './container.js';

const config = loadConfig();
const logger = createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
const infra = createInfrastructure(config, logger, { produces: [], consumes: ['orderEvents'] });
const container = buildContainer(config, logger, infra);

const server = await startHttpServer(createApp(container), config.HOST, config.PORT, logger);
void infra.kafka.start();
logger.info({ db: config.DB_URL.replace(/\/\/[^@]*@/, '//***@'), kafka: config.KAFKA_BROKERS }, 'notificationservice started');

registerGracefulShutdown({
  logger,
  steps: [
    { name: 'http', run: () => closeHttpServer(server) },
    { name: 'kafka', run: () => infra.kafka.stop() },
    { name: 'mongodb', run: () => infra.connection.close() },
  ],
});

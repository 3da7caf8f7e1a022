import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';

/**
 * The service's own database connection. It is returned at once even when the database is down
 * (the driver keeps trying; /health/ready reports 503 meanwhile), so a service starts and answers
 * /health/live without its dependencies (SPEC §5).
 */
export function connectDatabase(url: string, logger: Logger): Connection {
  const log = logger.child({ component: 'mongodb' });
  // Client-supplied `$`-operators never reach a query as operators (SPEC §6).
  mongoose.set('sanitizeFilter', true);
  mongoose.set('strictQuery', true);
  const connection = mongoose.createConnection(url, { serverSelectionTimeoutMS: 5_000, maxPoolSize: 50, autoIndex: true });
  connection.on('connected', () => log.info({ db: connection.name }, 'Connected to MongoDB'));
  connection.on('disconnected', () => log.warn('Disconnected from MongoDB'));
  connection.on('error', (err) => log.error({ err }, 'MongoDB connection error'));
  connection.asPromise().catch((err: unknown) => log.warn({ err }, 'MongoDB not reachable yet; retrying in the background'));
  return connection;
}

export async function isDatabaseUp(connection: Connection): Promise<boolean> {
  if (connection.readyState !== 1 || !connection.db) return false;
  const reply = await connection.db.admin().command({ ping: 1 });
  return reply.ok === 1;
}

/**
 * Creates the collections and indexes of every model on the connection, once. Run before consumers
 * start and before the service reports ready: mongo-java-server trips over two concurrent creations
 * of one collection (e.g. two first inserts), and a unique index must exist before it is relied on.
 */
export async function initModels(connection: Connection): Promise<void> {
  await connection.asPromise();
  await Promise.all(Object.values(connection.models).map((model) => model.init()));
}

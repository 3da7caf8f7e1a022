import mongoose, { type Connection, type Model } from 'mongoose';
import type { Logger } from 'pino';
import { backoffDelay, RECONNECT_BACKOFF, sleep } from '../lifecycle/backoff.js';
import { metrics } from '../metrics/metrics.js';

const OPTIONS = {
  // A server that is down is given up on quickly: the request answers 503 instead of waiting.
  serverSelectionTimeoutMS: 2_000,
  maxPoolSize: 50,
  // Collections and indexes are created by initModels() once the database answers, never by a
  // model compile racing the first writes (mongo-java-server trips over concurrent creation).
  autoCreate: false,
  autoIndex: false,
  // Command monitoring feeds db_commands_total (commands per order are the benchmark's yardstick);
  // measured: no visible CPU cost per command against the local server.
  monitorCommands: true,
} as const;

type DriverClient = ReturnType<Connection['getClient']>;
const counted = new WeakSet<DriverClient>();

function countCommands(client: DriverClient): void {
  if (counted.has(client)) return;
  counted.add(client);
  client.on('commandStarted', (event) => metrics.dbCommands.inc({ command: event.commandName }));
}

/**
 * The service's own database connection. It is returned at once even when the database is down:
 * the first connection is retried in the background (the driver itself only reconnects after a first
 * success), /health/ready reports 503 meanwhile, and the service answers /health/live (SPEC §5).
 */
export function connectDatabase(url: string, logger: Logger, opts: { operationTimeoutMs?: number } = {}): Connection {
  const database = createDatabaseConnection(url, logger, opts);
  database.open();
  return database.connection;
}

/**
 * The same connection, not opened yet: models can be compiled on it at once, and `open()` (once;
 * later calls do nothing) starts connecting, retried in the background as above.
 */
export function createDatabaseConnection(
  url: string,
  logger: Logger,
  opts: { operationTimeoutMs?: number } = {},
): { connection: Connection; open(): void } {
  const log = logger.child({ component: 'mongodb' });
  // Client-supplied `$`-operators never reach a query as operators (SPEC §6); code that builds its
  // own operators marks them with mongoose.trusted().
  mongoose.set('sanitizeFilter', true);
  mongoose.set('strictQuery', true);
  // Mongoose keeps `new Error().stack` of every query only to explain "Query was already executed";
  // with tsx's source maps that stack cost ~1 % of the order service's CPU under load.
  mongoose.set('skipOriginalStackTraces', true);
  // Never queue commands while the database is unreachable (mongoose's default waits 10 s): the
  // caller gets an error at once and answers 503, a consumer backs off.
  mongoose.set('bufferCommands', false);
  const connection = mongoose.createConnection();
  connection.on('connected', () => log.info({ db: connection.name }, 'Connected to MongoDB'));
  connection.on('disconnected', () => log.warn('Disconnected from MongoDB'));
  connection.on('reconnected', () => log.info('Reconnected to MongoDB'));
  // connection.close() at shutdown also ends the connect loop below.
  connection.once('close', () => closedOnPurpose.add(connection));
  let opened = false;
  const open = async (): Promise<void> => {
    for (let attempt = 1; connection.readyState !== 1; attempt++) {
      try {
        // timeoutMS bounds every operation on the client side (the driver's CSOT), so one against a
        // hung server (SIGSTOPped, a stalled disk) fails after that time instead of never.
        await connection.openUri(url, { ...OPTIONS, timeoutMS: opts.operationTimeoutMs ?? 3_000 });
        countCommands(connection.getClient());
      } catch (err) {
        if (isClosedOnPurpose(connection)) return;
        const delay = backoffDelay(RECONNECT_BACKOFF, attempt);
        log.warn({ err, attempt, retryInMs: delay }, 'MongoDB not reachable yet; retrying');
        await sleep(delay, { unref: true });
        if (isClosedOnPurpose(connection)) return;
      }
    }
  };
  return {
    connection,
    open: () => {
      if (opened) return;
      opened = true;
      void open();
    },
  };
}

const closedOnPurpose = new WeakSet<Connection>();
const isClosedOnPurpose = (connection: Connection): boolean => closedOnPurpose.has(connection);

export async function isDatabaseUp(connection: Connection): Promise<boolean> {
  if (connection.readyState !== 1 || !connection.db) return false;
  const reply = await connection.db.admin().command({ ping: 1 });
  return reply.ok === 1;
}

function whenConnected(connection: Connection): Promise<void> {
  if (connection.readyState === 1) return Promise.resolve();
  return new Promise((resolve) => connection.once('connected', () => resolve()));
}

/** What initModels needs of a model (any document type). */
export type ManagedModel = Pick<Model<unknown>, 'createCollection' | 'createIndexes'>;

/**
 * Creates the collections and indexes of the given models once the database answers. Run before
 * consumers start and before the service reports ready: a unique index must exist before it is
 * relied on. Safe to call again (existing collections and indexes are left as they are).
 */
export async function initModels(connection: Connection, models: readonly ManagedModel[]): Promise<void> {
  await whenConnected(connection);
  for (const model of models) {
    await model.createCollection().catch((err: { code?: number; codeName?: string; message?: string }) => {
      if (err.code === 48 || err.codeName === 'NamespaceExists' || /already exist/i.test(err.message ?? '')) return;
      throw err;
    });
    await model.createIndexes();
  }
}

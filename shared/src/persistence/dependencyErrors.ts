/**
 * Errors that mean "the database cannot be reached right now" rather than "this request is wrong":
 * the driver's network, server-selection and timeout errors, and mongoose refusing to run a command
 * before the connection is up. Matched by name so the kit does not tie itself to one driver build.
 */
const UNAVAILABLE_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoOperationTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoWaitQueueTimeoutError',
  'MongoExpiredSessionError',
]);

const MONGOOSE_NOT_CONNECTED = /before initial connection is complete|buffering timed out|Connection was force closed|Client must be connected/i;

export function isDependencyUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (UNAVAILABLE_NAMES.has(e.name)) return true;
    if (e.name === 'MongooseError' && MONGOOSE_NOT_CONNECTED.test(e.message)) return true;
  }
  return false;
}

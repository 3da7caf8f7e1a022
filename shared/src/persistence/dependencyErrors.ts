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

/**
 * Socket errors that can surface from the driver's connection itself (seen: EPIPE "This socket has been
 * ended by the other party" while the database restarted): the peer went away, nothing is wrong with the
 * request. Matched by the system error code only, never by message text.
 */
const SOCKET_GONE_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ENOTCONN', 'ETIMEDOUT', 'EHOSTUNREACH']);

const MONGOOSE_NOT_CONNECTED =
  /before initial connection is complete|buffering timed out|Connection was force closed|Client must be connected/i;

/**
 * The error behind this one: its `cause`, or for the driver's MongoBulkWriteError (every insertMany and
 * bulkWrite) the error that stopped the bulk, which it keeps as `errorResponse` and not as a cause.
 */
function underlying(error: Error): unknown {
  const { cause, errorResponse } = error as { cause?: unknown; errorResponse?: unknown };
  return cause ?? (errorResponse instanceof Error ? errorResponse : undefined);
}

export function isDependencyUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = underlying(e), depth++) {
    if (UNAVAILABLE_NAMES.has(e.name)) return true;
    if (SOCKET_GONE_CODES.has(String((e as { code?: unknown }).code))) return true;
    if (e.name === 'MongooseError' && MONGOOSE_NOT_CONNECTED.test(e.message)) return true;
  }
  return false;
}

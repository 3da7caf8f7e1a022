import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { errorBody } from '../http/errorBody.js';

export function startHttpServer(app: Express, host: string, port: number, logger: Logger): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => {
      logger.info({ url: `http://${host}:${port}` }, 'HTTP server listening');
      resolve(server);
    });
    server.once('error', reject);
    server.on('clientError', answerClientError);
    // Keep-alive connections would hold a graceful close open; let idle ones go quickly.
    server.keepAliveTimeout = 5_000;
  });
}

/**
 * Requests Node's HTTP parser refuses (an unknown method, a malformed request line, headers or a URL
 * over the 16 KB header limit) never reach Express, and Node's own answer is a bare status line. They
 * get the SPEC §3 shape too: an error body and an X-Correlation-Id (a fresh one: no header was read).
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message]: [number, string, string] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'REQUEST.HEADERS_TOO_LARGE', 'Request line and headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST.TIMEOUT', 'Request was not received in time']
        : [400, 'REQUEST.MALFORMED', 'Malformed HTTP request'];
  const body = JSON.stringify(errorBody(code, message));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Correlation-Id: ${randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Stop accepting connections and wait for in-flight requests (idle keep-alive sockets are closed). */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeIdleConnections();
  });
}

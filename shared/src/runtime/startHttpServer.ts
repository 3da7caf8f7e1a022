import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Logger } from 'pino';

export function startHttpServer(app: Express, host: string, port: number, logger: Logger): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => {
      logger.info({ url: `http://${host}:${port}` }, 'HTTP server listening');
      resolve(server);
    });
    server.once('error', reject);
    // Keep-alive connections would hold a graceful close open; let idle ones go quickly.
    server.keepAliveTimeout = 5_000;
  });
}

/** Stop accepting connections and wait for in-flight requests (idle keep-alive sockets are closed). */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeIdleConnections();
  });
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/**
 * The metrics' own small HTTP server (METRICS_HOST:METRICS_PORT, loopback by default): only
 * `GET /metrics`, in Prometheus' text format. It is not the app's Fastify server, so nothing
 * of it is reachable on the public port, and a scrape never passes the app's guards, rate
 * limits or request logs.
 */
export class MetricsServer {
  private server?: Server;

  constructor(private readonly registry: Registry) {}

  async listen(port: number, host: string): Promise<AddressInfo> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?', 1)[0];
      if (path !== '/metrics') {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found: the metrics are at /metrics\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
        return;
      }
      this.registry.metrics().then(
        (text) =>
          res
            .writeHead(200, { 'Content-Type': this.registry.contentType, 'Cache-Control': 'no-store' })
            .end(req.method === 'HEAD' ? undefined : text),
        () => res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Metrics could not be collected\n'),
      );
    });
    // Keep-alive sockets of a scraper must not hold the process open at shutdown.
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

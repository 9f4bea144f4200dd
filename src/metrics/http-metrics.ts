import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Histogram } from 'prom-client';

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Times every request of the app port into `histogram` from Fastify's onResponse hook. The
 * route label is the route's template (`/api/v1/users/:id`, `/oauth2/*`), never the URL, so
 * the number of series is bounded by the routes that exist; a request that matched none is
 * `unmatched`. Nothing is allocated here beyond prom-client's own label key.
 */
export function instrumentHttp(fastify: FastifyInstance, histogram: Histogram<'route' | 'method' | 'status_class'>): void {
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    histogram.observe(
      {
        route: request.routeOptions.url ?? 'unmatched',
        method: METHODS.has(request.method) ? request.method : 'OTHER',
        status_class: STATUS_CLASSES[Math.floor(reply.statusCode / 100) - 1] ?? 'other',
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
}

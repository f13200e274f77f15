import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { ProblemException } from '../http/problem.exception';
import { httpRequestDuration, metricsRegistry } from './metrics';

export const METRICS_PATH = '/metrics';

/** Who may scrape: `token` set → `Authorization: Bearer <token>`; unset → open outside production, off in it. */
export interface MetricsAccess {
  token?: string;
  production: boolean;
}

const sameSecret = (given: string, expected: string) => {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * Times every request by its templated route (`/api/v1/status/updates/:id`, never the raw URL, so a scan of
 * random paths cannot blow up the series count); requests no route matched share one `unmatched` label.
 */
export function timeHttpRequests(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpRequestDuration.observe(
      { route, method: request.method, status_class: `${Math.floor(reply.statusCode / 100)}xx` },
      reply.elapsedTime / 1000,
    );
  });
}

/**
 * GET /metrics in the Prometheus text format, registered on Fastify itself (outside Nest's global prefix, auth
 * guard and rate limits). Returns how it was mounted, for the start-up log.
 */
export function mountMetricsEndpoint(fastify: FastifyInstance, access: MetricsAccess): string {
  if (!access.token && access.production) return 'disabled (set METRICS_TOKEN to enable it)';
  const problems = new ProblemDetailsFilter();
  fastify.get(METRICS_PATH, async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    if (access.token && !sameSecret(header, `Bearer ${access.token}`)) {
      problems.send(
        new ProblemException(401, 'unauthorized', 'Unauthorized', 'Metrics need the scrape token (Authorization: Bearer METRICS_TOKEN)', [
          { field: 'Authorization', reason: header ? 'is not the metrics token' : 'is required' },
        ]),
        request,
        reply,
      );
      return reply;
    }
    void reply.header('content-type', metricsRegistry.contentType).header('cache-control', 'no-store');
    return metricsRegistry.metrics();
  });
  return access.token ? `at ${METRICS_PATH} (bearer token)` : `at ${METRICS_PATH} WITHOUT authentication (development only; set METRICS_TOKEN)`;
}

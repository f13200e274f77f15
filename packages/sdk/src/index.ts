import { type ClientOptions, createTransport, unwrap } from './client.js';
import { historyResource, statusResource, teamsResource, templatesResource, webhooksResource } from './resources.js';

export type { ClientOptions } from './client.js';
export { StatusyncError, type ProblemDetails } from './errors.js';
export { retryAfterMs, type RetryOptions } from './resilient-fetch.js';
export type { ServerSentEvent, StreamOptions } from './sse.js';
export type { PresetOptions, SettleOptions } from './resources.js';
export type * from './types.js';

/** A Statusync API client: typed calls, problem details as errors, Idempotency-Key on writes, 429/503 retried. */
export function createStatusyncClient(options: ClientOptions) {
  const transport = createTransport(options);
  const api = transport.raw;
  return {
    /** The underlying openapi-fetch client, typed by the OpenAPI document, for any operation. */
    raw: api,
    status: statusResource(transport),
    templates: templatesResource(transport),
    teams: teamsResource(transport),
    history: historyResource(transport),
    webhooks: webhooksResource(transport),
    me: { get: async () => unwrap(await api.GET('/api/v1/me')) },
  };
}

export type StatusyncClient = ReturnType<typeof createStatusyncClient>;

import { type Transport, unwrap } from './client.js';
import type { StreamOptions } from './sse.js';
import type { AvailabilityQuery, ClearBody, CreateTemplate, CreateWebhook, HistoryQuery, Platform, StatusUpdateBody, UpdateTemplate, UpdateWebhook, WebhookDeliveriesQuery } from './types.js';

/** Overrides of a preset; `minutes` is `durationMinutes`, the way people say it. */
export interface PresetOptions {
  minutes?: number;
  message?: string;
  expiresAt?: string;
  platforms?: Platform[];
}

export interface SettleOptions {
  timeoutMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function statusResource(t: Transport) {
  const api = t.raw;
  const status = {
    /** Sets a status (a message or an emoji at least); the answer tells where to follow it. */
    update: async (body: StatusUpdateBody) => unwrap(await api.POST('/api/v1/status/update', { body })),
    clear: async (body: ClearBody = {}) => unwrap(await api.POST('/api/v1/status/clear', { body })),
    /** Applies a preset or a template by name: `preset('busy', { minutes: 30 })`. */
    preset: async (name: string, options: PresetOptions = {}) => {
      const { minutes, ...rest } = options;
      const body = { ...rest, ...(minutes === undefined ? {} : { durationMinutes: minutes }) };
      return unwrap(await api.POST('/api/v1/status/presets/{name}', { params: { path: { name } }, body }));
    },
    presets: async () => unwrap(await api.GET('/api/v1/status/presets')),
    current: async () => unwrap(await api.GET('/api/v1/status/current')),
    get: async (id: string) => unwrap(await api.GET('/api/v1/status/updates/{id}', { params: { path: { id } } })),
    /** Polls an update until no platform is pending any more; gives its final state. */
    settled: async (id: string, options: SettleOptions = {}) => {
      const deadline = Date.now() + (options.timeoutMs ?? 60_000);
      for (;;) {
        const update = await status.get(id);
        if (update.state !== 'pending' || Date.now() > deadline || options.signal?.aborted) return update;
        await wait(options.pollMs ?? 500);
      }
    },
    /** Your own updates as they happen: `accepted`, then `delivery` per platform, `reading` on read-backs. */
    stream: (options?: StreamOptions) => t.stream('/api/v1/status/stream', options),
  };
  return status;
}

export function templatesResource(t: Transport) {
  const api = t.raw;
  const byId = (id: string) => ({ params: { path: { id } } });
  return {
    list: async () => unwrap(await api.GET('/api/v1/status/templates')),
    get: async (id: string) => unwrap(await api.GET('/api/v1/status/templates/{id}', byId(id))),
    create: async (body: CreateTemplate) => unwrap(await api.POST('/api/v1/status/templates', { body })),
    update: async (id: string, body: UpdateTemplate) => unwrap(await api.PATCH('/api/v1/status/templates/{id}', { ...byId(id), body })),
    remove: async (id: string) => void unwrap(await api.DELETE('/api/v1/status/templates/{id}', byId(id))),
    apply: async (id: string) => unwrap(await api.POST('/api/v1/status/templates/{id}/apply', byId(id))),
  };
}

export function teamsResource(t: Transport) {
  const api = t.raw;
  return {
    list: async () => unwrap(await api.GET('/api/v1/teams')),
    get: async (id: string) => unwrap(await api.GET('/api/v1/teams/{id}', { params: { path: { id } } })),
    /** One page of a team's availability (pass `cursor` from `nextCursor` for the next). */
    availability: async (id: string, query: AvailabilityQuery = {}) => unwrap(await api.GET('/api/v1/teams/{id}/availability', { params: { path: { id }, query } })),
    /** A team's availability, live: one `availability` event per member change. */
    stream: (id: string, options?: StreamOptions) => t.stream(`/api/v1/teams/${encodeURIComponent(id)}/stream`, options),
  };
}

export function historyResource(t: Transport) {
  const page = async (query: HistoryQuery) => unwrap(await t.raw.GET('/api/v1/status/history', { params: { query } }));
  return {
    /** The history, newest first, one page at a time: `for await (const page of client.history.list())`. */
    async *list(query: HistoryQuery = {}) {
      let cursor = query.cursor;
      do {
        const answer = await page({ ...query, cursor });
        yield answer;
        cursor = answer.nextCursor ?? undefined;
      } while (cursor);
    },
  };
}

export function webhooksResource(t: Transport) {
  const api = t.raw;
  const byId = (id: string) => ({ params: { path: { id } } });
  const page = async (id: string, query: WebhookDeliveriesQuery) =>
    unwrap(await api.GET('/api/v1/webhooks/{id}/deliveries', { params: { path: { id }, query } }));
  return {
    /** Adds an endpoint; the answer's `secret` (whsec_…) is shown this once: store it to verify deliveries. */
    create: async (body: CreateWebhook) => unwrap(await api.POST('/api/v1/webhooks', { body })),
    list: async () => unwrap(await api.GET('/api/v1/webhooks')),
    get: async (id: string) => unwrap(await api.GET('/api/v1/webhooks/{id}', byId(id))),
    /** Changes url/events; `{ enabled: true }` re-enables a disabled endpoint. */
    update: async (id: string, body: UpdateWebhook) => unwrap(await api.PATCH('/api/v1/webhooks/{id}', { ...byId(id), body })),
    remove: async (id: string) => void unwrap(await api.DELETE('/api/v1/webhooks/{id}', byId(id))),
    /** A new secret (shown once); the old one keeps signing beside it for 24 hours. */
    rotateSecret: async (id: string) => unwrap(await api.POST('/api/v1/webhooks/{id}/rotate-secret', byId(id))),
    /** Sends a `webhook.test` ping. */
    test: async (id: string) => unwrap(await api.POST('/api/v1/webhooks/{id}/test', byId(id))),
    replay: async (id: string, deliveryId: string) =>
      unwrap(await api.POST('/api/v1/webhooks/{id}/deliveries/{deliveryId}/replay', { params: { path: { id, deliveryId } } })),
    /** Deliveries, newest first, one page at a time: `for await (const page of client.webhooks.deliveries(id))`. */
    async *deliveries(id: string, query: WebhookDeliveriesQuery = {}) {
      let cursor = query.cursor;
      do {
        const answer = await page(id, { ...query, cursor });
        yield answer;
        cursor = answer.nextCursor ?? undefined;
      } while (cursor);
    },
  };
}

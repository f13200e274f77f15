/**
 * `POST /api/<method>` of the Slack fake: body parsing (form or JSON), token checks, canned
 * failures, scope checks, then the method table. Answers are HTTP 200 `{ok:false,error}` except
 * 429 (rate limits) and the server_error failure mode (500).
 */
import { IncomingHttpHeaders } from 'node:http';
import { FakeReply, FakeRequest, FakeRoute, isPlainObject, jsonReply, mediaType } from './http-helpers';
import { isFullReply, SlackMethod } from './slack-methods';
import { SlackRequestRecord, SlackState } from './slack-state';

export interface SlackApiDeps {
  state: SlackState;
  /** Live method table (later route files add methods to it). */
  methods: Record<string, SlackMethod>;
  /** Cancellable sleep of the underlying server (for the `slow` failure mode). */
  delay(ms: number): Promise<void>;
}

export function slackApiRoutes(deps: SlackApiDeps): FakeRoute[] {
  return [{ method: 'POST', path: /^\/api\/[^/]+$/, api: true, handle: (req) => handleApiCall(deps, req) }];
}

export function slackBearer(headers: IncomingHttpHeaders): string | null {
  const match = /^bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match ? match[1] : null;
}

type Parsed = { params: Record<string, unknown>; tokenParam: string | null; error?: undefined } | { error: string; params: Record<string, unknown>; tokenParam: null };

function parseParams(req: FakeRequest, contentType: string): Parsed {
  const text = req.body.toString('utf8');
  if (text.trim() === '') return { params: {}, tokenParam: null };
  if (contentType === 'application/x-www-form-urlencoded') {
    const params: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(text)) params[key] = value;
    const token = typeof params.token === 'string' && params.token !== '' ? params.token : null;
    return { params, tokenParam: token };
  }
  if (contentType === 'application/json') {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { error: 'invalid_json', params: {}, tokenParam: null };
    }
    if (!isPlainObject(json)) return { error: 'json_not_object', params: {}, tokenParam: null };
    return { params: json, tokenParam: null }; // JSON bodies must carry the token in the header
  }
  if (contentType === '') return { error: 'missing_post_type', params: {}, tokenParam: null };
  return { error: 'invalid_post_type', params: {}, tokenParam: null };
}

async function handleApiCall(deps: SlackApiDeps, req: FakeRequest): Promise<FakeReply> {
  const { state } = deps;
  const method = decodeURIComponent(req.path.slice('/api/'.length));
  const contentType = mediaType(req.headers);
  const parsed = parseParams(req, contentType);
  const headerToken = slackBearer(req.headers);
  const token = headerToken ?? parsed.tokenParam;
  const record: SlackRequestRecord = {
    at: req.receivedAt,
    method,
    token,
    contentType,
    params: parsed.params,
    userId: null,
    responseStatus: null,
    responseBody: undefined,
    failure: null,
  };
  state.requests.push(record);
  const extraHeaders: Record<string, string> = {};
  const finish = (body: Record<string, unknown>, status = 200, headers: Record<string, string> = {}): FakeReply => {
    record.responseStatus = status;
    record.responseBody = body;
    return jsonReply(status, body, { ...extraHeaders, ...headers });
  };
  const fail = (error: string, extra: Record<string, unknown> = {}) => finish({ ok: false, error, ...extra });

  const def = deps.methods[method];
  if (!def) return fail('unknown_method');
  if (parsed.error) return fail(parsed.error);
  if (def.auth === 'none') {
    const result = def.handle({ state, params: parsed.params, record, headers: req.headers });
    return isFullReply(result) ? finish(result.body, result.httpStatus, result.headers) : finish(result);
  }
  if (def.scopes.length > 0) extraHeaders['x-accepted-oauth-scopes'] = def.scopes.join(',');

  if (!token) return fail('not_authed');
  const resolved = state.resolveToken(token);
  if (resolved.kind === 'invalid') return fail('invalid_auth');
  if (resolved.kind === 'revoked') return fail('token_revoked');
  if (resolved.kind === 'expired') return fail('token_expired');
  record.userId = resolved.user.userId;
  if (resolved.kind === 'inactive') return fail('account_inactive');
  extraHeaders['x-oauth-scopes'] = resolved.scopes.join(',');

  const failure = state.failures.shift();
  if (failure) {
    record.failure = failure.mode;
    switch (failure.mode) {
      case 'ratelimited':
        return finish({ ok: false, error: 'ratelimited' }, 429, { 'retry-after': String(failure.opts.retryAfterSeconds ?? 1) });
      case 'ratelimited_no_retry_after':
        return finish({ ok: false, error: 'ratelimited' }, 429);
      case 'server_error': {
        record.responseStatus = 500;
        record.responseBody = 'Internal Server Error';
        return { status: 500, text: '<html><body><h1>500 Internal Server Error</h1></body></html>', headers: { 'content-type': 'text/html; charset=utf-8' } };
      }
      case 'invalid_auth':
      case 'token_revoked':
        return fail(failure.mode);
      case 'slow':
        await deps.delay(failure.opts.delayMs ?? 3000);
        break;
    }
  }

  if (def.userTokenOnly && token.startsWith('xoxb-')) return fail('not_allowed_token_type');
  if (def.scopes.length > 0 && !def.scopes.some((s) => resolved.scopes.includes(s))) {
    return fail('missing_scope', { needed: def.scopes.join(','), provided: resolved.scopes.join(',') });
  }

  const result = def.handle({ state, token, user: resolved.user, scopes: resolved.scopes, params: parsed.params, record });
  return isFullReply(result) ? finish(result.body, result.httpStatus, result.headers) : finish(result);
}

/**
 * Shared plumbing for the local platform fakes (GitHub, Slack, ...): a tiny router on plain
 * node:http, body reading, JSON answers, injected latency, requests that hang on purpose, a
 * failure queue, and the `/_fake/*` control routes. No framework, so the fakes start in a few ms
 * and close cleanly under Jest.
 */
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/** A parsed incoming request as route handlers see it. */
export interface FakeRequest {
  method: string;
  /** Path without the query string, e.g. `/graphql` or `/api/auth.test`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Arrival time (ms since epoch, from the fake's clock). */
  receivedAt: number;
}

/** What a handler answers. `HANG` keeps the request open until reset()/close(). */
export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  /** Serialised with JSON.stringify and sent as application/json. */
  json?: unknown;
  /** Sent as-is (content-type defaults to text/plain unless given in headers). */
  text?: string;
}
export const HANG: unique symbol = Symbol('fake.hang');
export type FakeHandlerResult = FakeReply | typeof HANG;
export type FakeHandler = (req: FakeRequest) => FakeHandlerResult | Promise<FakeHandlerResult>;

export interface FakeRoute {
  /** HTTP method, or '*' for any. */
  method: string;
  /** Exact path, or a RegExp tested against the path. */
  path: string | RegExp;
  /** API routes get the injected latency; control routes do not. */
  api: boolean;
  handle: FakeHandler;
}

export interface FakeServerOptions {
  port?: number;
  host?: string;
  latencyMs?: number;
  /** Answer for paths no route matches. */
  notFound?: (req: FakeRequest) => FakeReply;
  /** Maximum request body size in bytes (default 5 MiB); larger → 413. */
  maxBodyBytes?: number;
  now?: () => number;
}

/** Thrown by delay() when the server closes while a handler waits; the request is dropped. */
export class FakeCancelledError extends Error {
  constructor() {
    super('fake server closed while the request was pending');
    this.name = 'FakeCancelledError';
  }
}

/** Thrown by handlers (mostly control routes) to answer with a plain JSON error. */
export class FakeHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'FakeHttpError';
  }
}

export function jsonReply(status: number, json: unknown, headers: Record<string, string> = {}): FakeReply {
  return { status, json, headers };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `content-type` without parameters, lower-cased ('' when absent). */
export function mediaType(headers: IncomingHttpHeaders): string {
  const raw = headers['content-type'] ?? '';
  return raw.split(';')[0].trim().toLowerCase();
}

export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new FakeHttpError(413, 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The HTTP server every fake is built on: tracks sockets, pending delays and hanging requests so
 * that close() is immediate and leaves nothing behind for Jest to wait on.
 */
export class FakeHttpServer {
  private readonly routes: FakeRoute[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  private readonly timers = new Map<NodeJS.Timeout, (err: Error) => void>();
  private closed = false;
  private inFlight = 0;
  latencyMs: number;
  readonly now: () => number;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: FakeServerOptions,
  ) {
    this.latencyMs = options.latencyMs ?? 0;
    this.now = options.now ?? Date.now;
  }

  static async listen(routes: FakeRoute[], options: FakeServerOptions = {}): Promise<FakeHttpServer> {
    const server = createServer();
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const fake = new FakeHttpServer(server, `http://${urlHost(host)}:${port}`, options);
    fake.addRoutes(routes);
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.once('close', () => fake.sockets.delete(socket));
    });
    server.on('request', (req, res) => void fake.dispatch(req, res));
    return fake;
  }

  /** Later route files (OAuth, event emitters) register themselves here. */
  addRoutes(routes: FakeRoute[]): void {
    this.routes.push(...routes);
  }

  /** Sleep that is cancelled (rejects with FakeCancelledError) when the server closes. */
  delay(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    if (this.closed) return Promise.reject(new FakeCancelledError());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.set(timer, reject);
    });
  }

  /** API requests received and not answered yet (waiting out the latency, being handled, or hanging). */
  get inFlightCount(): number {
    return this.inFlight;
  }

  /** Number of requests currently held open by a `hang` failure. */
  get hangingCount(): number {
    return this.hanging.size;
  }

  /** Destroys the connections of requests held open by `hang` (the client sees a socket error). */
  releaseHanging(): void {
    for (const res of this.hanging) res.socket?.destroy();
    this.hanging.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [timer, reject] of this.timers) {
      clearTimeout(timer);
      reject(new FakeCancelledError());
    }
    this.timers.clear();
    this.releaseHanging();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await done;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = this.now();
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    let fakeReq: FakeRequest = { method, path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.alloc(0), receivedAt };
    try {
      fakeReq = { ...fakeReq, body: await readBody(req, this.options.maxBodyBytes ?? 5 * 1024 * 1024) };
      const route = this.routes.find((r) => (r.method === '*' || r.method === method) && matchPath(r.path, fakeReq.path));
      if (!route) {
        this.write(res, this.options.notFound ? this.options.notFound(fakeReq) : jsonReply(404, { message: 'Not Found' }));
        return;
      }
      if (route.api) {
        this.inFlight++;
        res.once('close', () => this.inFlight--);
      }
      if (route.api && this.latencyMs > 0) await this.delay(this.latencyMs);
      const result = await route.handle(fakeReq);
      if (result === HANG) {
        if (this.closed) res.socket?.destroy();
        else {
          this.hanging.add(res);
          res.once('close', () => this.hanging.delete(res));
        }
        return;
      }
      this.write(res, result);
    } catch (err) {
      if (err instanceof FakeCancelledError) {
        res.socket?.destroy();
        return;
      }
      if (err instanceof FakeHttpError) {
        this.write(res, jsonReply(err.status, { error: err.message }));
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      this.write(res, jsonReply(500, { error: 'fake_internal_error', message }));
    }
  }

  private write(res: ServerResponse, reply: FakeReply): void {
    if (res.destroyed || res.writableEnded) return;
    const headers: Record<string, string> = { ...(reply.headers ?? {}) };
    let payload = '';
    if (reply.text !== undefined) {
      payload = reply.text;
      if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'text/plain; charset=utf-8';
    } else if (reply.json !== undefined) {
      payload = JSON.stringify(reply.json);
      if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json; charset=utf-8';
    }
    headers['content-length'] = String(Buffer.byteLength(payload));
    res.writeHead(reply.status, headers);
    res.end(payload);
  }
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

function matchPath(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === 'string' ? pattern === path : pattern.test(path);
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Queue of canned failures, consumed one request at a time, in order. */
export class FailureQueue<Mode extends string, Opts extends object> {
  private readonly queue: Array<{ mode: Mode; opts: Opts }> = [];

  constructor(private readonly modes: readonly Mode[]) {}

  push(mode: Mode, count = 1, opts: Opts): void {
    if (!this.modes.includes(mode)) throw new FakeHttpError(400, `unknown failure mode '${mode}' (one of ${this.modes.join(', ')})`);
    if (!Number.isInteger(count) || count < 1) throw new FakeHttpError(400, 'count must be a positive integer');
    for (let i = 0; i < count; i += 1) this.queue.push({ mode, opts });
  }

  shift(): { mode: Mode; opts: Opts } | undefined {
    return this.queue.shift();
  }

  get pending(): ReadonlyArray<{ mode: Mode; opts: Opts }> {
    return this.queue;
  }

  clear(): void {
    this.queue.length = 0;
  }
}

/** What each fake plugs into the shared `/_fake/*` control routes. */
export interface FakeControl {
  /** Body of POST /_fake/tokens: `{ token, ...user }`. */
  addToken(body: Record<string, unknown>): void;
  revokeToken(token: string): void;
  clearTokens(): void;
  /** Body of POST /_fake/fail: `{ mode, count?, ...opts }`. */
  fail(body: Record<string, unknown>): void;
  setLatency(ms: number): void;
  /** API requests received and not answered yet. */
  inFlight(): number;
  reset(): void;
  requests(): unknown;
  state(): unknown;
  /** Extra fake-specific control actions: POST /_fake/<name> with a JSON body. */
  extra?: Record<string, (body: Record<string, unknown>) => unknown>;
}

/**
 * Control routes shared by every fake, all under `/_fake/`, never on an API path:
 *   POST /_fake/tokens {token, ...user}    POST /_fake/revoke {token}    POST /_fake/clear-tokens
 *   POST /_fake/fail {mode, count?, ...}   POST /_fake/latency {ms}      POST /_fake/reset
 *   GET  /_fake/requests                   GET  /_fake/state             GET  /_fake/in-flight
 */
export function controlRoutes(control: FakeControl): FakeRoute[] {
  const post = (name: string, act: (body: Record<string, unknown>) => unknown): FakeRoute => ({
    method: 'POST',
    path: `/_fake/${name}`,
    api: false,
    handle: (req) => {
      const result = act(parseControlBody(req));
      return jsonReply(200, result === undefined ? { ok: true } : result);
    },
  });
  const get = (name: string, read: () => unknown): FakeRoute => ({
    method: 'GET',
    path: `/_fake/${name}`,
    api: false,
    handle: () => jsonReply(200, read()),
  });
  const routes: FakeRoute[] = [
    post('tokens', (body) => control.addToken(body)),
    post('revoke', (body) => control.revokeToken(requireString(body, 'token'))),
    post('clear-tokens', () => control.clearTokens()),
    post('fail', (body) => control.fail(body)),
    post('latency', (body) => control.setLatency(requireNonNegativeInt(body, 'ms'))),
    post('reset', () => control.reset()),
    get('requests', () => control.requests()),
    get('state', () => control.state()),
    get('in-flight', () => ({ inFlight: control.inFlight() })),
  ];
  for (const [name, act] of Object.entries(control.extra ?? {})) routes.push(post(name, act));
  // Anything else under /_fake/ is a 404 here rather than falling through to API routes.
  routes.push({ method: '*', path: /^\/_fake(\/|$)/, api: false, handle: () => jsonReply(404, { error: 'unknown control route' }) });
  return routes;
}

function parseControlBody(req: FakeRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw new FakeHttpError(400, 'control body must be JSON');
  }
  if (!isPlainObject(parsed)) throw new FakeHttpError(400, 'control body must be a JSON object');
  return parsed;
}

export function requireString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '') throw new FakeHttpError(400, `'${key}' must be a non-empty string`);
  return value;
}

export function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new FakeHttpError(400, `'${key}' must be a string`);
  return value;
}

export function optionalStringArray(body: Record<string, unknown>, key: string): string[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new FakeHttpError(400, `'${key}' must be an array of strings`);
  return value as string[];
}

export function requireNonNegativeInt(body: Record<string, unknown>, key: string): number {
  const value = body[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new FakeHttpError(400, `'${key}' must be a non-negative integer`);
  return value;
}

export function optionalNonNegativeNumber(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new FakeHttpError(400, `'${key}' must be a non-negative number`);
  return value;
}

/** Common body of POST /_fake/fail. */
export function parseFailBody(body: Record<string, unknown>): { mode: string; count: number } {
  const mode = requireString(body, 'mode');
  const count = body.count === undefined ? 1 : body.count;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) throw new FakeHttpError(400, "'count' must be a positive integer");
  return { mode, count };
}

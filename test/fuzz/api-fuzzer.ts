import jwt from 'jsonwebtoken';
import { E2E } from '../support/test-env';
import type { ServiceProcess } from '../support/services';
import { changedTables, DbFingerprints, Fingerprint } from './db-fingerprint';
import { AuthPlan, clip, FuzzOperation, FuzzRequest } from './openapi-arbitraries';

/** Whose data a request can touch. Requests of one actor run one at a time, so a change is always attributable. */
interface Actor {
  key: string;
  /** The JWT subject whose rows to fingerprint; null when no user can have it (not a string, or NUL inside). */
  subject: string | null;
  /** A first-sight subject: its user may be created by a request that is then refused (documented: users are created on first sight). */
  fresh: boolean;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
  /** Set when no HTTP answer came back at all. */
  error?: string;
  /**
   * The gateway stopped reading a body over its size limit and closed the connection while the client was still
   * sending (EPIPE / ECONNRESET): it refused the upload, but the client never read the 413. Any HTTP server may do
   * this; what must hold is that nothing changed.
   */
  uploadRefused?: boolean;
}

/** The gateway's body limit (createHttpApp's default). */
const GATEWAY_BODY_LIMIT_BYTES = 64 * 1024;

export interface FuzzStats {
  requests: number;
  byStatus: Map<number, number>;
  byOperation: Map<string, Map<number, number>>;
  byTag: Map<string, number>;
  /** Requests that had to leave the database unchanged, by how completely that was checked. */
  unchangedChecks: { strong: number; weak: number };
  acceptedWrites: { changed: number; unchanged: number };
  firstSightUsers: number;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const FALLBACK_ID = '00000000-0000-4000-8000-000000000000';
const OTHER_SECRET = 'not-the-gateway-secret-but-long-enough-0123456789';
const REQUEST_TIMEOUT_MS = 30_000;

/** The collection an operation works on: its path up to the first parameter (`/api/v1/teams` for `/api/v1/teams/{id}/stream`). */
const resourceOf = (op: FuzzOperation) => op.pathTemplate.split('/{')[0];

const count = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** What the gateway's JWT validation accepts (README, "API"); anything else must be a 401. */
function claimsAreValid(claims: Record<string, unknown>): boolean {
  const { sub, org_id: orgId, role } = claims;
  return (
    typeof sub === 'string' && sub.length >= 1 && sub.length <= 255 && (orgId === undefined || typeof orgId === 'string') && (role === undefined || role === 'member' || role === 'admin')
  );
}

/**
 * Sends generated requests to a running gateway and checks every answer against the issue's properties: no 5xx,
 * no crash, every 4xx as problem details, every 2xx documented, invalid credentials refused, and no change to the
 * database by a refused request (or a read, or an idempotent replay).
 */
export class ApiFuzzer {
  readonly stats: FuzzStats = {
    requests: 0,
    byStatus: new Map(),
    byOperation: new Map(),
    byTag: new Map(),
    unchangedChecks: { strong: 0, weak: 0 },
    acceptedWrites: { changed: 0, unchanged: 0 },
    firstSightUsers: 0,
  };
  /** Set once the gateway process has exited: later runs (fast-check shrinking) are skipped, so the counterexample stays the batch that killed it. */
  gatewayExit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  /** Requests sent and not answered yet, and those never answered: the suspects when the gateway dies. */
  private readonly inFlight = new Set<FuzzRequest>();
  private readonly suspects = new Set<FuzzRequest>();
  private readonly baselines = new Map<string, Fingerprint>();
  private readonly seenIds = new Map<string, string[]>();
  private allSeenIds: string[] = [];
  private readonly operations: Map<string, FuzzOperation>;

  constructor(
    private readonly options: {
      baseUrl: string;
      gateway: ServiceProcess;
      operations: FuzzOperation[];
      /** JWT subjects of the fuzzed users; a request's `user` indexes this list. */
      subjects: string[];
      /** Extra claims of some users' valid tokens (an org and a role), by subject. */
      claims?: Record<string, Record<string, string>>;
      fingerprints: DbFingerprints;
      concurrency: number;
    },
  ) {
    this.operations = new Map(options.operations.map((op) => [op.id, op]));
    void options.gateway.exited.then((exit) => {
      this.gatewayExit = exit;
      for (const request of this.inFlight) this.suspects.add(request);
    });
  }

  /** Sends one batch: different actors in parallel (up to `concurrency`), each actor's requests in order. */
  async runBatch(batch: FuzzRequest[]): Promise<void> {
    if (this.gatewayExit) return;
    const byActor = new Map<string, { actor: Actor; requests: FuzzRequest[] }>();
    for (const request of batch) {
      const actor = this.actorOf(request);
      const group = byActor.get(actor.key) ?? { actor, requests: [] };
      group.requests.push(request);
      byActor.set(actor.key, group);
    }
    const groups = [...byActor.values()];
    const failures: Error[] = [];
    let next = 0;
    const lane = async () => {
      while (next < groups.length && failures.length === 0) {
        const { actor, requests } = groups[next++];
        for (const request of requests) {
          if (failures.length > 0) break;
          try {
            await this.exercise(actor, request);
          } catch (error) {
            failures.push(error as Error);
            break;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, groups.length) }, lane));
    if (failures.length > 0) throw failures[0];
  }

  private actorOf(request: FuzzRequest): Actor {
    if (request.auth.kind === 'fresh') {
      const sub = request.auth.claims.sub;
      return { key: `fresh:${JSON.stringify(sub)}`, subject: typeof sub === 'string' ? sub : null, fresh: true };
    }
    const subject = this.options.subjects[request.user];
    return { key: `user:${subject}`, subject, fresh: false };
  }

  private async exercise(actor: Actor, request: FuzzRequest): Promise<void> {
    const op = this.operations.get(request.operation);
    if (!op) throw new Error(`request for an operation the document does not have: ${request.operation}`);
    const before = this.baselines.get(actor.key) ?? (await this.options.fingerprints.of(actor.subject));
    const path = request.pathText((seen) => this.seenId(actor, seen.seenId, op));
    this.inFlight.add(request);
    const answer = await this.send(request, path, actor).finally(() => this.inFlight.delete(request));
    if (answer.status === 0) this.suspects.add(request);
    const after = await this.options.fingerprints.of(actor.subject);
    this.baselines.set(actor.key, after);
    this.record(op, request, answer, actor);

    const problems = this.violations(op, request, answer, actor, before, after);
    if (problems.length > 0) {
      const serverLog = answer.status >= 500 ? await this.serverLogFor(answer) : '';
      throw new Error(
        [
          `${problems.join('; ')}`,
          `  request: ${request.method} ${clip(path, 400).slice(1, -1)} (${request.operation})`,
          `  sent:    ${request.toString()}`,
          `  answer:  ${answer.error ?? `${answer.status} ${answer.headers.get('content-type') ?? '(no content-type)'} ${clip(answer.text, 600)}`}`,
          ...(serverLog ? [`  gateway log: ${serverLog}`] : []),
          ...(this.gatewayExit ? this.crashReport() : []),
        ].join('\n'),
      );
    }
  }

  private violations(op: FuzzOperation, request: FuzzRequest, answer: Answer, actor: Actor, before: Fingerprint, after: Fingerprint): string[] {
    if (answer.status === 0 && answer.uploadRefused && !this.gatewayExit) {
      const changed = changedTables(before, after, before.pending === 0, actor.fresh);
      return changed.length > 0 ? [`an upload refused for its size (${answer.error}) changed ${changed.join(', ')} for ${actor.key}`] : [];
    }
    if (answer.status === 0) {
      return [this.gatewayExit ? `the gateway exited (${this.gatewayExit.signal ?? this.gatewayExit.code})` : `no answer: ${answer.error}`];
    }
    const problems: string[] = [];
    if (answer.status >= 500) problems.push(`answered ${answer.status}`);
    if (this.gatewayExit) problems.push(`the gateway exited (${this.gatewayExit.signal ?? this.gatewayExit.code})`);
    if (answer.status >= 400) problems.push(...problemDetailsViolations(answer));
    if (answer.status < 400) {
      if (request.method !== op.method) problems.push(`${request.method} is not documented on this path but answered ${answer.status}`);
      else if (!op.successStatuses.includes(answer.status)) problems.push(`answered ${answer.status}; the document says ${op.successStatuses.join(' or ')}`);
    }
    problems.push(...this.authViolations(op, request, answer));
    problems.push(...this.databaseViolations(request, answer, actor, before, after));
    return problems;
  }

  /**
   * Credentials that must not pass are refused before the operation runs (401, or an HTTP-level 4xx): any bad or
   * missing ones where a JWT is required, and a bad JWT that is sent where one is optional.
   */
  private authViolations(op: FuzzOperation, request: FuzzRequest, answer: Answer): string[] {
    const plan = request.auth;
    const badJwt = plan.kind === 'bad-jwt' || (plan.kind === 'fresh' && !claimsAreValid(plan.claims));
    const invalid = op.auth === 'required' ? badJwt || plan.kind === 'none' || plan.kind === 'header' : op.auth === 'optional' && badJwt;
    if (!invalid || request.method !== op.method) return [];
    if (answer.status < 400) return [`accepted (${answer.status}) with invalid credentials (${plan.kind})`];
    const type = (answer.json as { type?: unknown } | undefined)?.type;
    const reachedHandler = answer.status === 409 || answer.status === 422 || (answer.status === 400 && typeof type === 'string' && type.endsWith('/validation'));
    return reachedHandler ? [`invalid credentials (${plan.kind}) got past authentication: ${answer.status} ${String(type)}`] : [];
  }

  /**
   * Refused requests, reads and idempotent replays must leave the actor's rows as they were. Compared in full
   * when the worker had nothing pending for the actor; otherwise without the columns the worker owns.
   */
  private databaseViolations(request: FuzzRequest, answer: Answer, actor: Actor, before: Fingerprint, after: Fingerprint): string[] {
    const replayed = answer.headers.get('idempotent-replayed') === 'true';
    const mustNotChange = answer.status >= 400 || request.method === 'GET' || replayed;
    const firstSight = actor.fresh && before.user === null && after.user !== null;
    const problems: string[] = [];
    if (firstSight) {
      this.stats.firstSightUsers++;
      if (answer.status === 401) problems.push('a token refused with 401 created a user');
    }
    const strong = before.pending === 0;
    const changed = changedTables(before, after, strong, actor.fresh).filter((table) => !(firstSight && table === 'users'));
    if (mustNotChange) {
      if (strong) this.stats.unchangedChecks.strong++;
      else this.stats.unchangedChecks.weak++;
      if (changed.length > 0) {
        const why = answer.status >= 400 ? `refused with ${answer.status}` : replayed ? 'an idempotent replay' : 'a read';
        problems.push(`${why}, yet it changed ${changed.join(', ')} for ${actor.key}`);
      }
    } else if (answer.status < 300) {
      if (changedTables(before, after, false, actor.fresh).length > 0) this.stats.acceptedWrites.changed++;
      else this.stats.acceptedWrites.unchanged++;
    }
    return problems;
  }

  private record(op: FuzzOperation, request: FuzzRequest, answer: Answer, actor: Actor): void {
    this.stats.requests++;
    count(this.stats.byStatus, answer.status);
    const perOp = this.stats.byOperation.get(op.id) ?? new Map<number, number>();
    count(perOp, answer.status);
    this.stats.byOperation.set(op.id, perOp);
    for (const tag of request.tags) count(this.stats.byTag, tag);
    if (answer.status >= 200 && answer.status < 300) {
      const ids = answer.text.match(UUID) ?? [];
      if (ids.length > 0) {
        this.seenIds.set(actor.key, [...(this.seenIds.get(actor.key) ?? []), ...ids].slice(-50));
        const byResource = `${actor.key} ${resourceOf(op)}`;
        this.seenIds.set(byResource, [...new Set([...(this.seenIds.get(byResource) ?? []), ...ids])].slice(-20));
        this.allSeenIds = [...this.allSeenIds, ...ids].slice(-200);
      }
    }
  }

  /**
   * An id the API handed out: n % 4 = 0 one of the actor's own from the same resource (a team id for a team
   * operation: a 2xx), 2 any of the actor's own, odd anyone's (usually someone else's: a 404).
   */
  private seenId(actor: Actor, n: number, op: FuzzOperation): string {
    const sameResource = this.seenIds.get(`${actor.key} ${resourceOf(op)}`) ?? [];
    const own = n % 4 === 0 && sameResource.length > 0 ? sameResource : (this.seenIds.get(actor.key) ?? []);
    const pool = n % 2 === 0 ? own : this.allSeenIds;
    return pool.length === 0 ? FALLBACK_ID : pool[Math.floor(n / 2) % pool.length];
  }

  private authorization(plan: AuthPlan, subject: string | null): string | undefined {
    const now = Math.floor(Date.now() / 1000);
    const sign = (payload: Record<string, unknown>, secret = E2E.jwtSecret) => jwt.sign(payload, secret, { algorithm: 'HS256' });
    const sub = subject ?? 'nobody';
    switch (plan.kind) {
      case 'user':
        return `Bearer ${sign({ ...(subject ? this.options.claims?.[subject] : undefined), sub, exp: now + 600 })}`;
      case 'none':
        return undefined;
      case 'header':
        return plan.value;
      case 'fresh':
        return `Bearer ${sign({ exp: now + 600, ...plan.claims })}`;
      case 'bad-jwt':
        switch (plan.variant) {
          case 'expired':
            return `Bearer ${sign({ sub, iat: now - 900, exp: now - 120 })}`;
          case 'wrong-secret':
            return `Bearer ${sign({ sub, exp: now + 600 }, OTHER_SECRET)}`;
          case 'alg-none':
            return `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub, exp: now + 600 })}.`;
          case 'no-exp':
            return `Bearer ${sign({ sub })}`;
          case 'not-yet-valid':
            return `Bearer ${sign({ sub, exp: now + 7_200, nbf: now + 3_600 })}`;
          case 'tampered': {
            const [header, , signature] = sign({ sub, exp: now + 600 }).split('.');
            return `Bearer ${header}.${b64url({ sub: `${sub}-other`, exp: now + 600 })}.${signature}`;
          }
          case 'bad-claims':
            return `Bearer ${sign({ sub, exp: now + 600, ...plan.claims })}`;
        }
    }
  }

  private async send(request: FuzzRequest, path: string, actor: Actor): Promise<Answer> {
    const headers: Record<string, string> = { ...request.headers };
    const authorization = this.authorization(request.auth, actor.fresh ? null : actor.subject);
    if (authorization !== undefined) headers.authorization = authorization;
    let body: string | Uint8Array | undefined;
    if (request.body) {
      body = request.body.hex !== undefined ? Buffer.from(request.body.hex, 'hex') : request.body.text;
      if (request.body.contentType !== null) headers['content-type'] = request.body.contentType;
    }
    try {
      const response = await fetch(`${this.options.baseUrl}${path}`, {
        method: request.method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      // An event stream (SSE) never ends by itself: its status and headers are the answer.
      if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
        await response.body?.cancel();
        return { status: response.status, headers: response.headers, text: '', json: undefined };
      }
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json };
    } catch (error) {
      // Give the exit event a moment: a crash shows up as a refused connection first.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const oversized = body !== undefined && Buffer.byteLength(body) > GATEWAY_BODY_LIMIT_BYTES;
      const uploadRefused = oversized && (cause?.code === 'EPIPE' || cause?.code === 'ECONNRESET');
      return { status: 0, headers: new Headers(), text: '', json: undefined, error: `${(error as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`, uploadRefused };
    }
  }

  /** Which requests may have killed the gateway (this one only noticed), and its last words. */
  private crashReport(): string[] {
    const errors = this.options.gateway
      .logs()
      .split('\n')
      .filter((line) => /"level":(50|60)/.test(line))
      .slice(-3);
    return [
      `  in flight or unanswered when it exited (the culprit is among them):`,
      ...[...this.suspects].map((suspect) => `    ${suspect.toString()}`),
      `  gateway stderr: ${clip(this.options.gateway.stderrText.slice(-2_000), 2_000)}`,
      ...(errors.length > 0 ? [`  gateway log: ${clip(errors.join(' | '), 2_000)}`] : []),
    ];
  }

  /** The gateway's own log lines for this answer's request id: why it failed, for the report. */
  private async serverLogFor(answer: Answer): Promise<string> {
    const requestId = (answer.json as { requestId?: unknown } | undefined)?.requestId ?? answer.headers.get('x-request-id');
    if (typeof requestId !== 'string') return '';
    // The log is written asynchronously: give it a moment to reach the file.
    for (let attempt = 0; attempt < 20; attempt++) {
      const lines = this.options.gateway.logs().split('\n').filter((line) => line.includes(requestId));
      if (lines.length > 0) return clip(lines.join(' | '), 2_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return '(no log line with this request id)';
  }
}

/** RFC 9457 as the README documents it: `{type, title, status, detail, errors?: [{field, reason}], requestId}` as application/problem+json. */
export function problemDetailsViolations(answer: Answer): string[] {
  const problems: string[] = [];
  const contentType = answer.headers.get('content-type') ?? '';
  if (!/^application\/problem\+json\s*(;|$)/i.test(contentType)) problems.push(`${answer.status} with content-type ${JSON.stringify(contentType)}, not application/problem+json`);
  const body = answer.json;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [...problems, `${answer.status} body is not a JSON object`];
  const problem = body as Record<string, unknown>;
  for (const field of ['type', 'title', 'detail', 'requestId']) {
    if (typeof problem[field] !== 'string' || problem[field] === '') problems.push(`problem.${field} is not a non-empty string`);
  }
  if (problem.status !== answer.status) problems.push(`problem.status ${JSON.stringify(problem.status)} is not the HTTP status ${answer.status}`);
  if (
    problem.errors !== undefined &&
    !(Array.isArray(problem.errors) && problem.errors.every((e) => e !== null && typeof e === 'object' && typeof e.field === 'string' && typeof e.reason === 'string'))
  ) {
    problems.push('problem.errors is not an array of {field, reason}');
  }
  const header = answer.headers.get('x-request-id');
  if (typeof problem.requestId === 'string' && header !== problem.requestId) problems.push(`problem.requestId ${problem.requestId} is not the X-Request-Id header ${header}`);
  return problems;
}

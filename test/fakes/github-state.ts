/**
 * In-memory state of the GitHub fake: tokens, statuses, rate-limit buckets, canned failures and
 * the request log. Route files (GraphQL now, OAuth later) read and write it; GithubFake exposes it.
 */
import { FailureQueue } from './http-helpers';
import { formatDateTime } from './github-schema';

export interface GithubUser {
  login: string;
  /** Classic OAuth/PAT scopes. Default ['user']. */
  scopes?: string[];
}

export interface GithubStatus {
  login: string;
  emoji: string | null;
  message: string | null;
  indicatesLimitedAvailability: boolean;
  /** ISO-8601 (GitHub form, no milliseconds) or null for "never". */
  expiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  id: string;
  organizationId: string | null;
}

/** Fields accepted by GithubFake.setStatus (seeding) — the same as ChangeUserStatusInput. */
export interface GithubStatusInput {
  emoji?: string | null;
  message?: string | null;
  limitedAvailability?: boolean;
  /** Date, ms epoch or ISO string. */
  expiresAt?: Date | number | string | null;
  organizationId?: string | null;
}

export const GITHUB_FAILURE_MODES = ['rate_limited', 'secondary_403', 'secondary_200', 'bad_gateway', 'hang', 'partial'] as const;
export type GithubFailureMode = (typeof GITHUB_FAILURE_MODES)[number];

export interface GithubFailureOptions {
  /** secondary_403 / secondary_200: value of `retry-after` (default 1). */
  retryAfterSeconds?: number;
  /** rate_limited: x-ratelimit-reset = now + this (default 2). */
  resetInSeconds?: number;
}

export interface GithubRequestRecord {
  /** Arrival time, ms epoch. */
  at: number;
  /** Token from the Authorization header (null when absent or not `token`/`bearer`). */
  token: string | null;
  /** Login the token resolved to (null when it did not). */
  login: string | null;
  query: string | null;
  variables: Record<string, unknown> | null;
  operationName: string | null;
  operationType: 'query' | 'mutation' | 'subscription' | null;
  /** Syntax, schema-validation and variable-coercion errors (empty when the document was valid). */
  validationErrors: string[];
  /** HTTP status answered; null while/when the request hangs. */
  responseStatus: number | null;
  responseBody: unknown;
  /** Canned failure that answered this request, if any. */
  failure: GithubFailureMode | null;
  /** True for a changeUserStatus that was executed and changed (set or cleared) the stored status. */
  applied: boolean;
}

export interface GithubFakeOptions {
  port?: number;
  host?: string;
  latencyMs?: number;
  /** Longest accepted status message (default 80; GitHub's real limit is undocumented). */
  messageMaxLength?: number;
  /** Accept any ghp_/gho_/github_pat_ token; login = the part after the prefix, scopes ['user']. */
  acceptAnyToken?: boolean;
  /** Primary rate limit per token per hour (default 5000). */
  rateLimitPerHour?: number;
  /** Emoji allow-list (e.g. [':coffee:', '🏠']). Default: every emoji is accepted. */
  emoji?: string[];
  /** What happens to an emoji outside the allow-list: silently dropped (default) or an UNPROCESSABLE error. */
  unknownEmoji?: 'drop' | 'error';
  /** Payload of a clearing changeUserStatus: `status: null` (default) or an empty status object. */
  clearedStatus?: 'null' | 'empty';
  /** Clock (ms epoch) for expiry, rate-limit windows and request times. Default Date.now. */
  now?: () => number;
  /** OAuth apps known to /login/oauth/* (more with GithubFake.addOAuthClient or POST /_fake/oauth-clients). */
  oauthClients?: { clientId: string; clientSecret: string; callbackUrl?: string }[];
  /** Lifetime of an authorization code (default 10 minutes). */
  oauthCodeLifetimeMs?: number;
}

export interface StoredStatus {
  login: string;
  emoji: string | null;
  message: string | null;
  limited: boolean;
  expiresAtMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
  id: string;
  organizationId: string | null;
}

export interface RateBucket {
  limit: number;
  used: number;
  remaining: number;
  resetAtMs: number;
}

const ANY_TOKEN = /^(ghp_|gho_|github_pat_)([A-Za-z0-9_]+)$/;
const HOUR_MS = 3_600_000;

export class GithubState {
  readonly tokens = new Map<string, { login: string; scopes: string[] }>();
  readonly revoked = new Set<string>();
  /** Keyed by lower-cased login (GitHub logins are case-insensitive). */
  readonly statuses = new Map<string, StoredStatus>();
  readonly knownLogins = new Map<string, string>();
  readonly buckets = new Map<string, { used: number; resetAtMs: number }>();
  readonly requests: GithubRequestRecord[] = [];
  readonly failures = new FailureQueue<GithubFailureMode, GithubFailureOptions>(GITHUB_FAILURE_MODES);
  private statusSeq = 0;

  constructor(
    readonly options: GithubFakeOptions,
    readonly now: () => number,
  ) {}

  get messageMaxLength(): number {
    return this.options.messageMaxLength ?? 80;
  }

  get rateLimit(): number {
    return this.options.rateLimitPerHour ?? 5000;
  }

  addToken(token: string, user: GithubUser): void {
    if (!token) throw new Error('token must be non-empty');
    if (!user.login) throw new Error('login must be non-empty');
    this.tokens.set(token, { login: user.login, scopes: [...(user.scopes ?? ['user'])] });
    this.revoked.delete(token);
    this.knownLogins.set(user.login.toLowerCase(), user.login);
  }

  revokeToken(token: string): void {
    this.revoked.add(token);
  }

  clearTokens(): void {
    this.tokens.clear();
    this.revoked.clear();
  }

  resolveToken(token: string): { login: string; scopes: string[] } | null {
    if (this.revoked.has(token)) return null;
    const known = this.tokens.get(token);
    if (known) return known;
    if (this.options.acceptAnyToken) {
      const match = ANY_TOKEN.exec(token);
      if (match) {
        this.knownLogins.set(match[2].toLowerCase(), match[2]);
        return { login: match[2], scopes: ['user'] };
      }
    }
    return null;
  }

  /** Display login for a known user (from a token or a stored status), else null. */
  knownLogin(login: string): string | null {
    return this.knownLogins.get(login.toLowerCase()) ?? null;
  }

  /** Current status with expiry applied (expired → null, and it is dropped). */
  stored(login: string): StoredStatus | null {
    const key = login.toLowerCase();
    const status = this.statuses.get(key);
    if (!status) return null;
    if (status.expiresAtMs !== null && status.expiresAtMs <= this.now()) {
      this.statuses.delete(key);
      return null;
    }
    return status;
  }

  statusOf(login: string): GithubStatus | null {
    const s = this.stored(login);
    return s ? toPublicStatus(s) : null;
  }

  /** Stores a status (already validated); returns it. */
  write(login: string, input: { emoji: string | null; message: string | null; limited: boolean; expiresAtMs: number | null; organizationId: string | null }): StoredStatus {
    const now = this.now();
    const previous = this.stored(login);
    this.statusSeq += 1;
    const status: StoredStatus = {
      login,
      ...input,
      createdAtMs: previous?.createdAtMs ?? now,
      updatedAtMs: now,
      id: previous?.id ?? `US_kwDO${Buffer.from(`${login}:${this.statusSeq}`).toString('base64url')}`,
    };
    this.statuses.set(login.toLowerCase(), status);
    this.knownLogins.set(login.toLowerCase(), login);
    return status;
  }

  clear(login: string): void {
    this.statuses.delete(login.toLowerCase());
  }

  bucket(token: string): RateBucket {
    const now = this.now();
    let b = this.buckets.get(token);
    if (!b || b.resetAtMs <= now) {
      b = { used: 0, resetAtMs: now + HOUR_MS };
      this.buckets.set(token, b);
    }
    return { limit: this.rateLimit, used: b.used, remaining: Math.max(0, this.rateLimit - b.used), resetAtMs: b.resetAtMs };
  }

  /** Charges `cost` points; false (nothing charged) when not enough remain. */
  charge(token: string, cost: number): boolean {
    const bucket = this.bucket(token);
    if (bucket.remaining < cost) return false;
    this.buckets.get(token)!.used += cost;
    return true;
  }

  /** Clears statuses, requests, failures and rate-limit counters; keeps tokens. */
  reset(): void {
    this.statuses.clear();
    this.requests.length = 0;
    this.failures.clear();
    this.buckets.clear();
    this.knownLogins.clear();
    for (const { login } of this.tokens.values()) this.knownLogins.set(login.toLowerCase(), login);
  }
}

export function toPublicStatus(s: StoredStatus): GithubStatus {
  return {
    login: s.login,
    emoji: s.emoji,
    message: s.message,
    indicatesLimitedAvailability: s.limited,
    expiresAt: s.expiresAtMs === null ? null : formatDateTime(s.expiresAtMs),
    createdAt: formatDateTime(s.createdAtMs),
    updatedAt: formatDateTime(s.updatedAtMs),
    id: s.id,
    organizationId: s.organizationId,
  };
}

import { OnApplicationShutdown } from '@nestjs/common';
import type { RedisClient as Redis } from '@statusync/core';
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createPkcePair } from './pkce';

/** What a state stands for until the callback consumes it. The verifier never leaves the server. */
export interface OAuthStateRecord {
  userId: string;
  platform: string;
  /** PKCE verifier of the challenge sent with the authorize request. */
  codeVerifier: string;
  /** ms epoch. */
  createdAt: number;
  /** What the flow connects when the user alone does not say (a calendar's id). */
  subject?: string;
}

export type OAuthStateProblem = 'malformed' | 'bad_signature' | 'expired_or_used' | 'wrong_platform';

/** The callback's state is not one we issued, or not any more. The message is safe to show. */
export class OAuthStateError extends Error {
  constructor(
    readonly problem: OAuthStateProblem,
    message: string,
  ) {
    super(message);
    this.name = 'OAuthStateError';
  }
}

export interface OAuthStateOptions {
  /** Redis key prefix (the queue prefix): states live at `<prefix>:oauth-state:<id>`. */
  prefix: string;
  /** HMAC-SHA256 key; see oauthStateKey(). */
  signingKey: Buffer;
  /** How long a person has to approve at the provider (providers' codes live 10 minutes too). */
  ttlMs: number;
  now?: () => number;
}

export const OAUTH_STATE_TTL_MS = 10 * 60_000;
const STATE = /^([A-Za-z0-9_-]{32})\.([A-Za-z0-9_-]{43})$/;

/**
 * The signing key, derived (HKDF-SHA256, purpose "oauth-state") from the token-encryption key so operators have
 * no extra secret to manage, and so a leaked state key reveals nothing about the encryption key. After a key
 * rotation, states issued in the last ten minutes no longer verify: the person simply starts again.
 */
export function oauthStateKey(encryptionKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'oauth-state', 32));
}

/**
 * OAuth `state`: a random id plus an HMAC over it and the platform, stored in Redis with the user and the PKCE
 * verifier for ten minutes and consumed with GETDEL, so each state works once. The signature lets a forged state
 * be refused without touching Redis; Redis makes a state single-use, short-lived and bound to its user.
 */
export class OAuthStateService implements OnApplicationShutdown {
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    private readonly options: OAuthStateOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** A new state for `userId` connecting `platform`, and the PKCE challenge to send with it. */
  async issue(userId: string, platform: string, subject?: string): Promise<{ state: string; codeChallenge: string; expiresAt: Date }> {
    const id = randomBytes(24).toString('base64url');
    const pkce = createPkcePair();
    const createdAt = this.now();
    const record: OAuthStateRecord = { userId, platform, codeVerifier: pkce.verifier, createdAt, ...(subject ? { subject } : {}) };
    await this.redis.set(this.key(id), JSON.stringify(record), 'PX', this.options.ttlMs, 'NX');
    return { state: `${id}.${this.sign(platform, id)}`, codeChallenge: pkce.challenge, expiresAt: new Date(createdAt + this.options.ttlMs) };
  }

  /** Checks and uses up a state; throws OAuthStateError when it is forged, unknown, expired, used or for another platform. */
  async consume(platform: string, state: string): Promise<OAuthStateRecord> {
    const match = STATE.exec(state);
    if (!match) throw new OAuthStateError('malformed', 'state is not one this service issued');
    const [, id, signature] = match;
    const expected = Buffer.from(this.sign(platform, id));
    if (!timingSafeEqual(expected, Buffer.from(signature))) throw new OAuthStateError('bad_signature', 'state signature is invalid');

    const stored = await this.redis.getdel(this.key(id));
    if (stored === null) throw new OAuthStateError('expired_or_used', 'state has expired or was already used; start the connection again');
    const record = JSON.parse(stored) as OAuthStateRecord;
    // The signature covers the platform, so this only fails if Redis was written by someone else: refuse anyway.
    if (record.platform !== platform) throw new OAuthStateError('wrong_platform', `state was issued for ${record.platform}`);
    // Redis' TTL is the expiry; this also holds if a key ever lost its TTL (PERSIST, a restore without TTLs).
    if (this.now() - record.createdAt >= this.options.ttlMs) throw new OAuthStateError('expired_or_used', 'state has expired; start the connection again');
    return record;
  }

  /** Closed after the HTTP drain and the workers' last jobs (beforeApplicationShutdown), which still use it. */
  onApplicationShutdown(): void {
    this.redis.disconnect();
  }

  private key(id: string): string {
    return `${this.options.prefix}:oauth-state:${id}`;
  }

  private sign(platform: string, id: string): string {
    return createHmac('sha256', this.options.signingKey).update(`v1.${platform}.${id}`).digest('base64url');
  }
}

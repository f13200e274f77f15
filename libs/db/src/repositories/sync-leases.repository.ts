import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { StatusUpdateEntity } from '../entities/status-update.entity';
import { SyncOutcome } from '../entities/sync-log.entity';
import { StatusUpdateJson, statusUpdateFromJson } from './accept-update.repository';
import type { WebhookDeliveryTarget, WebhookEventRecord } from './webhooks.repository';
import type { PlatformConfigWithSecret, SealedTokens } from './platform-configs.repository';
import type { OneStatement } from '../user-scope';
import { CLAIM_MANY_SQL, CLAIM_SQL, EXTEND_SQL, RELEASE_SQL, SETTLE_MANY_SQL, SETTLE_SQL, STORE_REFRESHED_SQL } from './sync-leases.sql';

/** A delivery the claim finished without a call: overtaken by a newer pending one, or already on the platform. */
export interface FinishedOnClaim {
  updateId: string;
  state: 'superseded' | 'succeeded';
}

export type ClaimResult =
  /** The delivery is not pending any more (`state`, null when its update is gone): nothing to do. */
  | { kind: 'skipped'; state: string | null }
  | { kind: 'not_configured'; attempt: number }
  /** Someone else holds the lease on this user's platform: try again once it ends. */
  | { kind: 'busy'; retryInMs: number }
  /** The job's own delivery was finished on claim (see `finished`): no call. */
  | { kind: 'finished'; finished: FinishedOnClaim[] }
  | {
      kind: 'leased';
      token: string;
      attempt: number;
      config: PlatformConfigWithSecret;
      finished: FinishedOnClaim[];
      update: StatusUpdateEntity;
      audience: LiveAudience | null;
      /** Whether an active webhook endpoint listens to this user's events (else no webhook event is built). */
      webhooks: boolean;
      /** For a schedule's or calendar's update, what Restore needs before the push; null for the user's own updates. */
      spanGuard: SpanGuardFacts | null;
    };

/** Read by the claim (statusync_span_guard) for a span's update: its block's part in Restore on this platform. */
export interface SpanGuardFacts {
  /** The block's first push here: read what the platform shows and keep it (the capture) before pushing. */
  capture: boolean;
  /** A restore's: the status the block showed, which the platform must still show (or nothing) to be put back. */
  ours: Pick<StatusUpdateEntity, 'emoji' | 'message' | 'platformOverrides'> | null;
}

/** One job's claim: its user's platform and update, and how long to lease the platform for. */
export interface ClaimRequest {
  userId: string;
  platform: string;
  updateId: string;
  leaseMs: number;
}

/** Whom a user's live events go to (their subject and teams), read by the claim so the worker need not ask again. */
export interface LiveAudience {
  subject: string;
  teamIds: string[];
}

export interface Settlement {
  userId: string;
  platform: string;
  updateId: string;
  seq: string;
  token: string;
  outcome: SyncOutcome;
  attempt: number;
  errorCode?: string | null;
  errorMessage?: string | null;
  retryAfterMs?: number | null;
  durationMs: number;
  requestId: string | null;
  /** Keep the lease to its end instead of releasing it: a timed-out call may still land on the platform. */
  keepLease: boolean;
  /** What the platform answered a successful write with (stored as its latest reading). */
  receipt?: { emoji: string | null; message: string | null; expiresAt: Date | null } | null;
  /** Webhook events the outcome causes, recorded with it (statusync_webhook_emit) for every subscribed endpoint. */
  webhookEvents?: WebhookEventRecord[];
}

/** A settle's result: whether the token was still ours (else nothing was written) and the deliveries to enqueue. */
export interface SettleResult {
  settled: boolean;
  webhookDeliveries: WebhookDeliveryTarget[];
}

/** statusync_claim_delivery's answer. */
interface ClaimJson {
  ownState: string | null;
  ownAttempts: number | null;
  configured: boolean;
  busyForMs: number | null;
  finished: FinishedOnClaim[];
  token: string | null;
  leased: boolean | null;
  config: Record<string, unknown> | null;
  update?: StatusUpdateJson | null;
  audience?: LiveAudience | null;
  webhooks?: boolean;
  spanGuard?: SpanGuardFacts;
}

/**
 * Leases on the (user, platform) config row, replacing the row lock held through the platform call
 * (docs/decisions.md "Worker leases"). Each method is one statement. `claim` and `settle` scope themselves (run them
 * through UserScope.selfScoped: one round trip each); the others run in the caller's user-scoped transaction.
 */
@Injectable()
export class SyncLeasesRepository {
  /**
   * Claims the platform for the job's delivery: finishes the pending deliveries the newest pending one (or the
   * applied one) overtakes, and leases the row for `leaseMs` if the job's own delivery is that newest one.
   */
  async claim(db: OneStatement, userId: string, platform: string, updateId: string, leaseMs: number): Promise<ClaimResult> {
    const [{ claim }] = (await db.query(CLAIM_SQL, [userId, platform, updateId, leaseMs])) as { claim: ClaimJson }[];
    return claimResult(claim, updateId);
  }

  /** `claim` for many jobs in one statement (statusync_claim_deliveries): answers in the order of `claims`. */
  async claimMany(db: OneStatement, claims: ClaimRequest[]): Promise<ClaimResult[]> {
    const rows = (await db.query(CLAIM_MANY_SQL, [JSON.stringify(claims)])) as { i: number; claim: ClaimJson }[];
    return inOrder(rows, claims.length).map((row, index) => claimResult(row.claim, claims[index].updateId));
  }

  /** Records the call's outcome, guarded by the fencing token; `settled` false when the lease was lost (nothing written). */
  async settle(db: OneStatement, s: Settlement): Promise<SettleResult> {
    const a = settleArguments(s);
    const [row] = (await db.query(SETTLE_SQL, [
      a.userId, a.platform, a.updateId, a.outcome, a.seq, a.token, a.attempt, a.errorCode, a.errorMessage, a.retryAfterMs,
      a.durationMs, a.requestId, a.keepLease, a.receipt && JSON.stringify(a.receipt), a.webhookEvents && JSON.stringify(a.webhookEvents),
    ])) as { settled: SettleResult }[];
    return row.settled;
  }

  /** `settle` for many attempts in one statement (statusync_settle_deliveries): answers in the order of `settlements`. */
  async settleMany(db: OneStatement, settlements: Settlement[]): Promise<SettleResult[]> {
    const rows = (await db.query(SETTLE_MANY_SQL, [JSON.stringify(settlements.map(settleArguments))])) as { i: number; settled: SettleResult }[];
    return inOrder(rows, settlements.length).map((row) => row.settled);
  }

  /** Ends the lease without an outcome (the call was not made: the rate budget said wait). */
  async release(db: EntityManager, userId: string, platform: string, token: string): Promise<void> {
    await db.query(RELEASE_SQL, [userId, platform, token]);
  }

  /** Pushes the lease's end to now + `leaseMs` before another call (a token refresh); false when it was lost. */
  async extend(db: EntityManager, userId: string, platform: string, token: string, leaseMs: number): Promise<boolean> {
    const rows = (await db.query(EXTEND_SQL, [userId, platform, token, leaseMs])) as unknown[];
    return rows.length > 0;
  }

  /**
   * Stores a refreshed token pair. Written while we hold the lease, or (a lease lost during the refresh) as long
   * as the row still holds the refresh token we spent: that one is dead now, so the new pair is the only good one.
   */
  async storeRefreshedTokens(db: EntityManager, configId: string, token: string, spent: Buffer, tokens: SealedTokens): Promise<boolean> {
    const rows = (await db.query(STORE_REFRESHED_SQL, [
      configId, token, spent, tokens.tokenCiphertext, tokens.tokenKeyId,
      tokens.refreshTokenCiphertext ?? null, tokens.refreshTokenKeyId ?? null, tokens.tokenExpiresAt ?? null,
    ])) as unknown[];
    return rows.length > 0;
  }
}

function claimResult(claim: ClaimJson, updateId: string): ClaimResult {
  if (claim.ownState !== 'pending') return { kind: 'skipped', state: claim.ownState };
  if (claim.token === null) {
    if (!claim.configured) return { kind: 'not_configured', attempt: (claim.ownAttempts ?? 0) + 1 };
    return { kind: 'busy', retryInMs: Number(claim.busyForMs ?? 0) };
  }
  const finished = claim.finished;
  if (!claim.leased) return { kind: 'finished', finished };
  // The delivery cascades from its update, so a pending delivery has one; checked all the same.
  if (!claim.update) throw new Error(`update ${updateId} vanished under its pending delivery`);
  const update = statusUpdateFromJson(claim.update);
  return {
    kind: 'leased', token: claim.token, attempt: (claim.ownAttempts ?? 0) + 1, config: toConfig(claim.config!), finished, update,
    audience: claim.audience ?? null, webhooks: claim.webhooks ?? true, spanGuard: claim.spanGuard ?? null,
  };
}

/** A settlement as statusync_settle_delivery's arguments (the batch function reads the same names from jsonb). */
function settleArguments(s: Settlement) {
  return {
    userId: s.userId, platform: s.platform, updateId: s.updateId, outcome: s.outcome, seq: s.seq, token: s.token, attempt: s.attempt,
    errorCode: s.errorCode ?? null,
    errorMessage: s.errorMessage?.slice(0, 1000) ?? null,
    retryAfterMs: s.retryAfterMs ?? null,
    durationMs: Math.round(s.durationMs),
    requestId: s.requestId,
    keepLease: s.keepLease,
    receipt: s.receipt ? { ...s.receipt, expiresAt: s.receipt.expiresAt?.toISOString() ?? null } : null,
    webhookEvents: s.webhookEvents?.length ? s.webhookEvents : null,
  };
}

/** A batch function's rows (index `i` from 1, in lock order) in the order of its input; all must be there. */
function inOrder<R extends { i: number }>(rows: R[], count: number): R[] {
  const ordered: R[] = new Array(count);
  for (const row of rows) ordered[row.i - 1] = row;
  if (rows.length !== count || ordered.some((row) => row === undefined)) throw new Error(`batch answered ${rows.length} rows for ${count}`);
  return ordered;
}

function toConfig(c: Record<string, unknown>): PlatformConfigWithSecret {
  const bytes = (value: unknown) => (value === null ? null : Buffer.from((value as string).slice(2), 'hex'));
  const date = (value: unknown) => (value === null ? null : new Date(value as string));
  return {
    id: c.id,
    userId: c.user_id,
    platform: c.platform,
    accountId: c.account_id,
    accountName: c.account_name,
    tokenCiphertext: bytes(c.token_ciphertext),
    tokenKeyId: c.token_key_id,
    refreshTokenCiphertext: bytes(c.refresh_token_ciphertext),
    refreshTokenKeyId: c.refresh_token_key_id,
    tokenExpiresAt: date(c.token_expires_at),
    connectedVia: c.connected_via,
    state: c.state,
    reauthReason: c.reauth_reason,
    appliedUpdateId: c.applied_update_id,
    appliedSeq: c.applied_seq === null ? null : String(c.applied_seq),
    appliedAt: date(c.applied_at),
  } as PlatformConfigWithSecret;
}

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { StatusUpdateEntity } from '../entities/status-update.entity';
import { SyncOutcome } from '../entities/sync-log.entity';
import { StatusUpdateJson, statusUpdateFromJson } from './accept-update.repository';
import type { WebhookDeliveryTarget } from './webhooks.repository';
import type { PlatformConfigWithSecret, SealedTokens } from './platform-configs.repository';
import type { OneStatement } from '../user-scope';
import { CLAIM_SQL, EXTEND_SQL, RELEASE_SQL, SETTLE_SQL, STORE_REFRESHED_SQL } from './sync-leases.sql';

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
  | { kind: 'leased'; token: string; attempt: number; config: PlatformConfigWithSecret; finished: FinishedOnClaim[]; update: StatusUpdateEntity; audience: LiveAudience | null };

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
  webhookEvents?: { type: string; key: string; payload: string }[];
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
    if (claim.ownState !== 'pending') return { kind: 'skipped', state: claim.ownState };
    if (claim.token === null) return this.notClaimed(claim);
    const finished = claim.finished;
    if (!claim.leased) return { kind: 'finished', finished };
    // The delivery cascades from its update, so a pending delivery has one; checked all the same.
    if (!claim.update) throw new Error(`update ${updateId} vanished under its pending delivery`);
    const update = statusUpdateFromJson(claim.update);
    return { kind: 'leased', token: claim.token, attempt: (claim.ownAttempts ?? 0) + 1, config: toConfig(claim.config!), finished, update, audience: claim.audience ?? null };
  }

  private notClaimed(claim: ClaimJson): ClaimResult {
    if (!claim.configured) return { kind: 'not_configured', attempt: (claim.ownAttempts ?? 0) + 1 };
    return { kind: 'busy', retryInMs: Number(claim.busyForMs ?? 0) };
  }

  /** Records the call's outcome, guarded by the fencing token; `settled` false when the lease was lost (nothing written). */
  async settle(db: OneStatement, s: Settlement): Promise<SettleResult> {
    const errorMessage = s.errorMessage?.slice(0, 1000) ?? null;
    const receipt = s.receipt ? JSON.stringify({ ...s.receipt, expiresAt: s.receipt.expiresAt?.toISOString() ?? null }) : null;
    const [row] = (await db.query(SETTLE_SQL, [
      s.userId, s.platform, s.updateId, s.outcome, s.seq, s.token, s.attempt,
      s.errorCode ?? null, errorMessage, s.retryAfterMs ?? null, Math.round(s.durationMs), s.requestId, s.keepLease, receipt,
      s.webhookEvents?.length ? JSON.stringify(s.webhookEvents) : null,
    ])) as { settled: SettleResult }[];
    return row.settled;
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

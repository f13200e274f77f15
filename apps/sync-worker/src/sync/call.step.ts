import { Injectable } from '@nestjs/common';
import { AuditEvent, PlatformConfigsRepository, SyncLeasesRepository, UserScope } from '@statusync/db';
import { PlatformAuthError, PlatformError, PlatformRegistry, PlatformStatusReading } from '@statusync/platforms';
import { SyncStatusJob } from '@statusync/queue';
import { isTokenExpired, PlatformTokens, TokenUndecryptableError } from '../platform-tokens';
import { ClaimStep, Claim } from './claim.step';
import { SpanRestoreGuard } from '../span-restore-guard';
import { statusOf } from './status-of';

export type Leased = Extract<Claim, { kind: 'leased' }>;

/** The platform's answer to one call, or why there was none; `reauth` asks the settle step to stop using the token. */
export type CallOutcome =
  | { kind: 'applied'; receipt: PlatformStatusReading }
  /** A schedule's or calendar's restore found the user's own status on the platform: theirs stays, no call made. */
  | { kind: 'kept' }
  | { kind: 'error'; code: string; message: string; permanent: boolean; error: PlatformError | null; reauth: { reason: string; event: AuditEvent } | null }
  /** Our lease ended while we refreshed the token: someone else owns the platform now. */
  | { kind: 'lease_lost' };

class LeaseLostError extends Error {}

/**
 * Step 2, call: talks to the platform holding no database connection. Only a token refresh (rare: rotating Slack
 * tokens, twice a day) takes a short row lock, so the single-use refresh token is spent once even beside a read-back.
 */
@Injectable()
export class CallStep {
  constructor(
    private readonly scope: UserScope,
    private readonly configs: PlatformConfigsRepository,
    private readonly leases: SyncLeasesRepository,
    private readonly platforms: PlatformRegistry,
    private readonly tokens: PlatformTokens,
    private readonly claim: ClaimStep,
    private readonly spanGuard: SpanRestoreGuard,
  ) {}

  async run(job: SyncStatusJob, lease: Leased): Promise<CallOutcome> {
    const { config } = lease;
    let token: string;
    try {
      token = this.tokens.accessToken(config);
    } catch (error) {
      if (!(error instanceof TokenUndecryptableError)) throw error;
      const reason = error.message;
      return { kind: 'error', code: 'token_undecryptable', message: 'The stored token cannot be decrypted; connect the platform again', permanent: true, error: null, reauth: { reason, event: 'platform.reauth_required' } };
    }
    let refreshed = false;
    try {
      if (this.tokens.expiresSoon(config)) [token, refreshed] = [await this.refresh(job, lease), true];
      for (;;) {
        try {
          const receipt = await this.push(job, token, lease);
          return receipt === 'keep-user-status' ? { kind: 'kept' } : { kind: 'applied', receipt };
        } catch (error) {
          // A rotated token can die before its stored expiry (clocks, the platform ending it early): refresh once, try again.
          if (!(error instanceof PlatformError) || refreshed || !isTokenExpired(error) || !this.tokens.canRefresh(config)) throw error;
          [token, refreshed] = [await this.refresh(job, lease), true];
        }
      }
    } catch (error) {
      if (error instanceof LeaseLostError) return { kind: 'lease_lost' };
      if (!(error instanceof PlatformError)) throw error;
      return this.failure(error);
    }
  }

  private failure(error: PlatformError): CallOutcome {
    if (refreshFailures.has(error)) {
      // Slack down or limiting us: the stored pair is untouched and still good, so no re-authorisation for that.
      const reauth = error.permanent ? { reason: `token refresh failed: ${error.code}`, event: 'oauth.refresh_failed' as const } : null;
      return { kind: 'error', code: error.code, message: `Token refresh failed: ${error.message}`, permanent: error.permanent, error, reauth };
    }
    const reauth = error instanceof PlatformAuthError ? { reason: `${error.code}: ${error.message}`, event: 'platform.reauth_required' as const } : null;
    return { kind: 'error', code: error.code, message: error.message, permanent: error.permanent, error, reauth };
  }

  /** Returns the platform's receipt: what it says it shows now (or that a span's restore must not overwrite it). */
  private async push(job: SyncStatusJob, token: string, lease: Leased): Promise<PlatformStatusReading | 'keep-user-status'> {
    const adapter = this.platforms.get(job.platform);
    if ((await this.spanGuard.beforePush(job.userId, lease.spanGuard, job.platform, adapter, token)) === 'keep-user-status') return 'keep-user-status';
    const status = statusOf(lease.update, job.platform);
    return status ? adapter.setStatus(token, status) : adapter.clearStatus(token);
  }

  /**
   * Trades the refresh token for a new pair under the row lock, after renewing our lease (so the call that follows is
   * covered, and a lost lease is noticed before the refresh token is spent). A pair another process stored meanwhile
   * is used as it is. A refresh the provider refuses for good becomes a reauth; a passing failure leaves the pair as it was.
   */
  private async refresh(job: SyncStatusJob, lease: Leased): Promise<string> {
    try {
      return await this.scope.run(job.userId, async (db) => {
        if (!(await this.leases.extend(db, job.userId, job.platform, lease.token, this.claim.leaseMs))) throw new LeaseLostError();
        const fresh = await this.configs.lockWithSecret(db, job.userId, job.platform);
        if (!fresh) throw new LeaseLostError();
        // Another process (a read-back) stored a new pair since we read ours: use it rather than spend its refresh token.
        const replaced = !fresh.tokenCiphertext.equals(lease.config.tokenCiphertext);
        Object.assign(lease.config, fresh);
        if (replaced) return this.tokens.accessToken(fresh);
        const access = await this.tokens.refresh(db, fresh);
        Object.assign(lease.config, fresh);
        await this.leases.extend(db, job.userId, job.platform, lease.token, this.claim.leaseMs);
        return access;
      });
    } catch (error) {
      if (error instanceof PlatformError) refreshFailures.add(error);
      throw error;
    }
  }
}

/** Errors that came from a token refresh rather than the status call: they are reported as such. */
const refreshFailures = new WeakSet<PlatformError>();

import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import { ClaimRequest, ClaimResult, StatementBatcher, SyncLeasesRepository, UserScope } from '@statusync/db';
import { SyncStatusJob } from '@statusync/queue';
import { BATCH_LIMITS } from './batch-limits';

/** How far past the call timeout a lease reaches: a call we gave up on may still land within one more timeout. */
export const LEASE_MARGIN_MS = 1_000;

/** A claim; when leased, with the update to push and the user's live audience. */
export type Claim = ClaimResult;

/**
 * Step 1, claim: one statement that scopes itself (one round trip), shared with the claims other jobs make at the
 * same moment (StatementBatcher). No connection or lock is kept once it returns; the lease on the config row is what
 * keeps other workers off.
 */
@Injectable()
export class ClaimStep {
  readonly leaseMs: number;
  private readonly claims: StatementBatcher<ClaimRequest, ClaimResult>;

  constructor(scope: UserScope, leases: SyncLeasesRepository, @Inject(APP_CONFIG) config: AppConfig) {
    // The call itself (one timeout) and a late landing of a call we gave up on (one more), then a margin for clocks.
    this.leaseMs = 2 * config.platforms.timeoutMs + LEASE_MARGIN_MS;
    this.claims = new StatementBatcher({
      one: (c) => scope.selfScoped((db) => leases.claim(db, c.userId, c.platform, c.updateId, c.leaseMs)),
      many: (claims) => scope.selfScoped((db) => leases.claimMany(db, claims)),
      ...BATCH_LIMITS,
    });
  }

  run(job: SyncStatusJob): Promise<Claim> {
    return this.claims.run({ userId: job.userId, platform: job.platform, updateId: job.updateId, leaseMs: this.leaseMs });
  }
}

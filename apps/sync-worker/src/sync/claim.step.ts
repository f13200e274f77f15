import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import { ClaimResult, SyncLeasesRepository, UserScope } from '@statusync/db';
import { SyncStatusJob } from '@statusync/queue';

/** How far past the call timeout a lease reaches: a call we gave up on may still land within one more timeout. */
export const LEASE_MARGIN_MS = 1_000;

/** A claim; when leased, with the update to push and the user's live audience. */
export type Claim = ClaimResult;

/**
 * Step 1, claim: one statement that scopes itself (one round trip). No connection or lock is kept once it returns;
 * the lease on the config row is what keeps other workers off.
 */
@Injectable()
export class ClaimStep {
  readonly leaseMs: number;

  constructor(
    private readonly scope: UserScope,
    private readonly leases: SyncLeasesRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    // The call itself (one timeout) and a late landing of a call we gave up on (one more), then a margin for clocks.
    this.leaseMs = 2 * config.platforms.timeoutMs + LEASE_MARGIN_MS;
  }

  run(job: SyncStatusJob): Promise<Claim> {
    return this.scope.selfScoped((db) => this.leases.claim(db, job.userId, job.platform, job.updateId, this.leaseMs));
  }
}

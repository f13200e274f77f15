import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import { ClaimResult, StatusUpdateEntity, StatusUpdatesRepository, SyncLeasesRepository, UserScope } from '@statusync/db';
import { SyncStatusJob } from '@statusync/queue';

/** How far past the call timeout a lease reaches: a call we gave up on may still land within one more timeout. */
export const LEASE_MARGIN_MS = 1_000;

/** A claim; when leased, with the update to push. */
export type Claim = Exclude<ClaimResult, { kind: 'leased' }> | (Extract<ClaimResult, { kind: 'leased' }> & { update: StatusUpdateEntity });

/**
 * Step 1, claim: one short transaction (the user's scope and one statement, plus the update's row when leased). No
 * connection or lock is kept once it returns; the lease on the config row is what keeps other workers off.
 */
@Injectable()
export class ClaimStep {
  readonly leaseMs: number;

  constructor(
    private readonly scope: UserScope,
    private readonly leases: SyncLeasesRepository,
    private readonly updates: StatusUpdatesRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    // The call itself (one timeout) and a late landing of a call we gave up on (one more), then a margin for clocks.
    this.leaseMs = 2 * config.platforms.timeoutMs + LEASE_MARGIN_MS;
  }

  run(job: SyncStatusJob): Promise<Claim> {
    return this.scope.run(job.userId, async (db) => {
      const claim = await this.leases.claim(db, job.userId, job.platform, job.updateId, this.leaseMs);
      if (claim.kind !== 'leased') return claim;
      const update = await this.updates.findById(db, job.updateId);
      // The delivery cascades from its update, so a pending delivery has one; checked all the same.
      if (!update) throw new Error(`update ${job.updateId} vanished under its pending delivery`);
      return { ...claim, update };
    });
  }
}

import { Injectable } from '@nestjs/common';
import { SyncStatusJob } from '@statusync/queue';
import { Leased } from './call.step';

/** Something to do once the platform is ours and before the status call (e.g. read what it shows, to restore it later). */
export type BeforeCallHook = (job: SyncStatusJob, lease: Leased) => Promise<void>;

/**
 * The slot between claim and call. A hook runs holding the lease and no connection; it must stay within the
 * call's time budget (the lease covers one platform call and one late landing).
 */
@Injectable()
export class BeforeCallHooks {
  private readonly hooks: BeforeCallHook[] = [];

  add(hook: BeforeCallHook): void {
    this.hooks.push(hook);
  }

  async run(job: SyncStatusJob, lease: Leased): Promise<void> {
    for (const hook of this.hooks) await hook(job, lease);
  }
}

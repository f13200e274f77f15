import { SyncStatusJob, UserLiveEvent } from '@statusync/queue';
import type { AttemptResult } from './sync/attempt-result';

/** The live event for one attempt's result: the outcome as it lands (nothing for a skipped duplicate). */
export function deliveryEvent(job: SyncStatusJob, result: AttemptResult): UserLiveEvent | null {
  const base = { type: 'delivery' as const, updateId: job.updateId, platform: job.platform };
  switch (result.kind) {
    case 'done':
      return result.outcome === 'skipped' || result.announced ? null : { ...base, state: result.outcome, errorCode: null };
    case 'retry':
      return { ...base, state: 'retrying', errorCode: result.error.code };
    case 'failed':
      return { ...base, state: 'failed', errorCode: result.code };
  }
}

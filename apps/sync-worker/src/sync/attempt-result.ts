import { PlatformError } from '@statusync/platforms';

/** What one attempt decided; the job's fate (done, retry, give up) follows from it once it is settled. */
export type AttemptResult =
  /** `announced`: the outcome's live event went out already (from the claim that finished this delivery). */
  | { kind: 'done'; outcome: 'succeeded' | 'superseded' | 'skipped'; announced?: boolean }
  | { kind: 'retry'; error: PlatformError }
  | { kind: 'failed'; code: string; message: string };

/** The job could not make its attempt now (lease held elsewhere, rate budget spent): run it again in `delayMs`, uncounted. */
export interface Postponed {
  kind: 'postpone';
  delayMs: number;
  reason: 'lease_held' | 'lease_lost' | 'write_budget';
}

import { Injectable, Logger } from '@nestjs/common';
import { TeamsRepository, UserScope } from '@statusync/db';
import { LivePublisher, SyncStatusJob, UserLiveEvent } from '@statusync/queue';
import type { AttemptResult } from './status-sync.processor';

/**
 * Tells live streams (SSE) that one platform's delivery landed: the user's own stream gets the outcome, each
 * of their teams' streams a "this member changed". After the commit, so a client that reacts reads the new state.
 */
@Injectable()
export class LiveNotifier {
  private readonly logger = new Logger(LiveNotifier.name);

  constructor(
    private readonly scope: UserScope,
    private readonly teams: TeamsRepository,
    private readonly publisher: LivePublisher,
  ) {}

  async deliverySettled(job: SyncStatusJob, result: AttemptResult): Promise<void> {
    const event = eventOf(job, result);
    if (!event) return;
    await this.notify(job.userId, event);
  }

  /** Also used after a read-back changed what a platform is known to show. */
  async notify(userId: string, event: UserLiveEvent): Promise<void> {
    try {
      const audience = await this.scope.run(userId, (db) => this.teams.membershipsOf(db, userId));
      if (audience) await this.publisher.publish({ userId, ...audience }, event);
    } catch (error) {
      // Never fail (and so retry) a delivery because a live notification could not be sent.
      this.logger.warn({ err: error, userId }, 'live notification skipped');
    }
  }
}

function eventOf(job: SyncStatusJob, result: AttemptResult): UserLiveEvent | null {
  const base = { type: 'delivery' as const, updateId: job.updateId, platform: job.platform };
  switch (result.kind) {
    case 'done':
      return result.outcome === 'skipped' ? null : { ...base, state: result.outcome, errorCode: null };
    case 'retry':
      return { ...base, state: 'retrying', errorCode: result.error.code };
    case 'failed':
      return { ...base, state: 'failed', errorCode: result.code };
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { LiveAudience, TeamsRepository, UserScope } from '@statusync/db';
import { LivePublisher } from './live-publisher';
import { UserLiveEvent } from './live-streams';

/**
 * Publishes a live event about one user to their own stream and to each of their teams' streams. Called after
 * the commit, so a client that reacts reads the new state. Provided by the apps that publish (gateway, worker),
 * which also import DbModule.
 */
@Injectable()
export class LiveNotifier {
  private readonly logger = new Logger(LiveNotifier.name);

  constructor(
    private readonly scope: UserScope,
    private readonly teams: TeamsRepository,
    private readonly publisher: LivePublisher,
  ) {}

  /** `known`: the audience when the caller already read it (the worker's claim does), saving a transaction. */
  async notify(userId: string, event: UserLiveEvent, known?: LiveAudience | null): Promise<void> {
    try {
      const audience = known ?? (await this.scope.run(userId, (db) => this.teams.membershipsOf(db, userId)));
      if (audience) await this.publisher.publish({ userId, ...audience }, event);
    } catch (error) {
      // Never fail (and so retry) a request or a delivery because a live notification could not be sent.
      this.logger.warn({ err: error, userId }, 'live notification skipped');
    }
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { AvailabilityRepository, PlatformConfigsRepository, UserScope } from '@statusync/db';
import { isPlatformId, PlatformError, PlatformRegistry } from '@statusync/platforms';
import { LiveNotifier, ReadStatusJob } from '@statusync/queue';
import { Job, UnrecoverableError } from 'bullmq';
import { PlatformTokens } from './platform-tokens';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Read-back: asks a platform what it shows for one user and stores the answer as that platform's reading
 * (drift detection). Holds the platform-config row lock like a write, so a read never interleaves with a
 * write to the same user and platform (a reading is then never older than the receipt it replaces).
 */
@Injectable()
export class StatusReadProcessor {
  private readonly logger = new Logger(StatusReadProcessor.name);

  constructor(
    private readonly scope: UserScope,
    private readonly configs: PlatformConfigsRepository,
    private readonly readings: AvailabilityRepository,
    private readonly platforms: PlatformRegistry,
    private readonly tokens: PlatformTokens,
    private readonly live: LiveNotifier,
  ) {}

  async process(job: Job<ReadStatusJob>): Promise<string> {
    const { userId, platform } = parseReadStatusJob(job.data);
    const outcome = await this.scope.run(userId, async (db) => {
      const config = await this.configs.lockWithSecret(db, userId, platform);
      if (!config || config.state !== 'active') return 'skipped';
      try {
        const token = this.tokens.expiresSoon(config) ? await this.tokens.refresh(db, config) : this.tokens.accessToken(config);
        const reading = await this.platforms.get(platform).readStatus(token);
        return (await this.readings.recordReading(db, userId, platform, reading, 'read')) ? 'changed' : 'unchanged';
      } catch (error) {
        if (!(error instanceof PlatformError)) throw error;
        this.logger.warn({ userId, platform, code: error.code }, 'read-back failed');
        // A read is only a hint: a refused token is the next write's business, not a reason to retry.
        if (error.permanent) throw new UnrecoverableError(`${error.code}: ${error.message}`);
        throw error;
      }
    });
    if (outcome === 'changed') await this.live.notify(userId, { type: 'reading', platform });
    return outcome;
  }
}

function parseReadStatusJob(data: unknown): ReadStatusJob {
  const job = data as Partial<ReadStatusJob> | null;
  if (!job || typeof job !== 'object' || typeof job.userId !== 'string' || !UUID.test(job.userId)) throw new UnrecoverableError('read job has no valid userId');
  if (!isPlatformId(job.platform)) throw new UnrecoverableError(`read job names an unknown platform: ${String(job.platform)}`);
  return { userId: job.userId, platform: job.platform, staleSince: typeof job.staleSince === 'number' ? job.staleSince : 0 };
}

import { Injectable, Logger } from '@nestjs/common';
import { PlatformConfigsRepository, SpansRepository, UserScope } from '@statusync/db';
import { PlatformError, PlatformRegistry, SlackAdapter } from '@statusync/platforms';
import { SlackDndJob } from '@statusync/queue';
import { Job, UnrecoverableError } from 'bullmq';
import { PlatformTokens } from './platform-tokens';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MINUTE_MS = 60_000;

/**
 * Slack Do Not Disturb for focus time: snoozes notifications for what is left of the span (rounded up to whole
 * minutes, read when the job runs, so a retried or late job never snoozes past the span's end) and ends the
 * snooze at its end, where a snooze the user already ended (`snooze_not_active`) is fine. A snooze job that
 * finds the span's end already fired does nothing, so a retry that lost a race with the end never snoozes anew.
 * A token without `dnd:write` (connected before we asked for it) fails the job for good with a reason that says
 * what to do; other permanent refusals likewise; Slack's own trouble is retried with the platform backoff.
 */
@Injectable()
export class SlackDndProcessor {
  private readonly logger = new Logger(SlackDndProcessor.name);

  constructor(
    private readonly scope: UserScope,
    private readonly configs: PlatformConfigsRepository,
    private readonly spans: SpansRepository,
    private readonly platforms: PlatformRegistry,
    private readonly tokens: PlatformTokens,
  ) {}

  async process(job: Job<SlackDndJob>): Promise<string> {
    const { userId, spanId, action } = parseSlackDndJob(job.data);
    const outcome = await this.scope.run(userId, async (db) => {
      let minutes = 0;
      if (action === 'snooze') {
        const span = await this.spans.findById(db, spanId);
        if (!span?.endsAt) return 'gone';
        const ended = (await this.spans.edgesOf(db, spanId)).some((edge) => edge.edge === 'end');
        minutes = Math.ceil((span.endsAt.getTime() - Date.now()) / MINUTE_MS);
        if (ended || minutes <= 0) return 'span-over';
      }
      // The row lock keeps a rotating token's refresh single (as the read-back does).
      const config = await this.configs.lockWithSecret(db, userId, 'slack');
      if (!config || config.state !== 'active') return 'no-slack';
      try {
        const token = this.tokens.expiresSoon(config) ? await this.tokens.refresh(db, config) : this.tokens.accessToken(config);
        const slack = this.platforms.get('slack') as SlackAdapter;
        if (action === 'snooze') {
          await slack.snooze(token, minutes);
          return 'snoozed';
        }
        return await slack.endSnooze(token);
      } catch (error) {
        if (!(error instanceof PlatformError)) throw error;
        this.logger.warn({ userId, spanId, action, code: error.code }, 'Slack DND call failed');
        if (error.code === 'missing_scope') {
          throw new UnrecoverableError('missing_scope: the Slack connection lacks the dnd:write scope; reconnect Slack to let focus time snooze notifications');
        }
        if (error.permanent) throw new UnrecoverableError(`${error.code}: ${error.message}`);
        throw error;
      }
    });
    this.logger.log({ userId, spanId, action, outcome }, 'Slack DND');
    return outcome;
  }
}

function parseSlackDndJob(data: unknown): SlackDndJob {
  const job = data as Partial<SlackDndJob> | null;
  if (!job || typeof job !== 'object' || typeof job.userId !== 'string' || !UUID.test(job.userId)) throw new UnrecoverableError('DND job has no valid userId');
  if (typeof job.spanId !== 'string' || !UUID.test(job.spanId)) throw new UnrecoverableError('DND job has no valid spanId');
  if (job.action !== 'snooze' && job.action !== 'end') throw new UnrecoverableError(`DND job has an unknown action: ${String(job.action)}`);
  return { userId: job.userId, spanId: job.spanId, action: job.action };
}

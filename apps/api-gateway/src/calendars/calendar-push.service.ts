import { Inject, Injectable, Logger } from '@nestjs/common';
import { isPushTokenValid, ProviderType } from '@statusync/calendar-feeds';
import { APP_CONFIG, AppConfig, ProblemException } from '@statusync/core';
import { CalendarsRepository } from '@statusync/db';
import { CalendarPollProducer } from '@statusync/queue';

const unknownChannel = () => new ProblemException(404, 'not-found', 'Not Found', 'no calendar listens on this channel');
const badToken = () => new ProblemException(403, 'forbidden', 'Forbidden', 'the notification does not carry this channel\'s token');

/**
 * Change notifications from Google (watch channels) and Microsoft Graph (subscriptions). A notification only says
 * "something changed": it is checked (the channel is a calendar's current one, the token is that calendar's) and
 * answered at once; the read itself is the poller's, enqueued like any other.
 */
@Injectable()
export class CalendarPushService {
  private readonly logger = new Logger(CalendarPushService.name);
  private readonly keys: Buffer[];

  constructor(
    private readonly calendars: CalendarsRepository,
    private readonly poller: CalendarPollProducer,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.keys = config.tokenEncryptionKeys.map((key) => key.key);
  }

  /** Google: `X-Goog-Channel-ID`, `X-Goog-Channel-Token`, `X-Goog-Resource-State` (`sync` when the channel opens). */
  async google(channelId: string | undefined, token: string | undefined, resourceState: string | undefined): Promise<void> {
    if (!channelId) throw new ProblemException(400, 'validation', 'Invalid request', 'X-Goog-Channel-ID is missing', [{ field: 'X-Goog-Channel-ID', reason: 'is required' }]);
    // The `sync` message only says the channel is open, and arrives while the poller that opened it has not yet
    // committed its id: acknowledged without a lookup, nothing to read.
    if (resourceState === 'sync') return;
    const target = await this.check('google', channelId, token);
    await this.poller.readNow({ calendarId: target.id, userId: target.userId });
  }

  /** Graph: a batch of `{ subscriptionId, clientState, ... }`; answered 202 when at least one is ours. */
  async microsoft(body: unknown): Promise<void> {
    const items = (body as { value?: unknown } | null)?.value;
    if (!Array.isArray(items) || items.length === 0 || items.length > 1000) {
      throw new ProblemException(400, 'validation', 'Invalid request', 'not a change notification', [{ field: 'value', reason: 'must be a non-empty array of notifications' }]);
    }
    const calendars = new Map<string, string>();
    let refused: ProblemException | null = null;
    for (const item of items as { subscriptionId?: unknown; clientState?: unknown }[]) {
      try {
        if (typeof item?.subscriptionId !== 'string') throw unknownChannel();
        const target = await this.check('microsoft', item.subscriptionId, typeof item.clientState === 'string' ? item.clientState : undefined);
        calendars.set(target.id, target.userId);
      } catch (error) {
        if (!(error instanceof ProblemException)) throw error;
        refused = error;
      }
    }
    if (calendars.size === 0) throw refused!;
    for (const [calendarId, userId] of calendars) await this.poller.readNow({ calendarId, userId });
  }

  private async check(type: ProviderType, channelId: string, token: string | undefined): Promise<{ id: string; userId: string }> {
    const target = channelId.length <= 200 ? await this.calendars.pushTarget(channelId) : null;
    if (!target || target.type !== type) throw unknownChannel();
    if (!token || !isPushTokenValid(this.keys, target.id, token)) {
      this.logger.warn({ calendarId: target.id, type }, 'push notification with a wrong token refused');
      throw badToken();
    }
    return target;
  }
}

import { LogLevel, WebClient } from '@slack/web-api';
import { PlatformAccount, PlatformAdapter, PlatformStatusReading, StatusToApply } from '../platform-adapter';
import { slackEmoji } from '../emoji';
import { createPlatformFetch } from '../http/platform-fetch';
import { PlatformAuthError, PlatformError } from '../platform-errors';
import { toSlackError } from './slack-errors';
import { SLACK_LIMITS } from './slack.limits';

export interface SlackAdapterOptions {
  /** Web API base, e.g. https://slack.com/api/. */
  apiUrl: string;
  timeoutMs: number;
}

const REQUIRED_SCOPE = 'users.profile:write';

/** Slack status through `users.profile.set`. Needs a user token (xoxp-) with `users.profile:write`. */
export class SlackAdapter implements PlatformAdapter {
  readonly platform = 'slack';
  readonly limits = SLACK_LIMITS;

  /**
   * One client for every call, the token given per call: building a WebClient binds every API method and makes a
   * request queue, a logger and the headers, which cost more CPU than the call itself (docs/decisions.md §35).
   * Its own request queue must never hold calls back: the queue's concurrency already bounds calls in flight.
   */
  private readonly client: WebClient;

  constructor(options: SlackAdapterOptions) {
    // Retries belong to the queue (recorded, backed off, survive restarts), so the client never retries itself.
    this.client = new WebClient(undefined, {
      slackApiUrl: options.apiUrl,
      timeout: options.timeoutMs,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      maxRequestConcurrency: Infinity,
      logLevel: LogLevel.ERROR,
      fetch: createPlatformFetch(),
    });
  }

  async verify(token: string): Promise<PlatformAccount> {
    const answer = await this.call(() => this.client.auth.test({ token }));
    if (answer.bot_id) {
      throw new PlatformAuthError('slack', 'user_is_bot', 'This is a bot token; Slack statuses need a user token (xoxp-)');
    }
    const scopes = answer.response_metadata?.scopes;
    if (scopes && !scopes.includes(REQUIRED_SCOPE)) {
      throw new PlatformAuthError('slack', 'missing_scope', `The token lacks the ${REQUIRED_SCOPE} scope`);
    }
    return { accountId: String(answer.user_id), accountName: `${answer.user}@${answer.team}` };
  }

  async setStatus(token: string, status: StatusToApply): Promise<PlatformStatusReading> {
    return this.writeProfile(token, {
      status_text: status.message ?? '',
      // Slack takes names only (iamcal's, `:wave::skin-tone-3:`); a workspace's custom emoji goes as given.
      status_emoji: status.emoji ? slackEmoji(status.emoji) : '',
      status_expiration: status.expiresAt ? Math.floor(status.expiresAt.getTime() / 1000) : 0,
    });
  }

  /** Empty text and emoji together clear the status on Slack. */
  async clearStatus(token: string): Promise<PlatformStatusReading> {
    return this.writeProfile(token, { status_text: '', status_emoji: '', status_expiration: 0 });
  }

  /** `users.profile.get` (needs `users.profile:read`; Slack limits it per workspace, so callers spread reads). */
  async readStatus(token: string): Promise<PlatformStatusReading> {
    const answer = await this.call(() => this.client.users.profile.get({ token }));
    return readingOf(answer.profile);
  }

  /**
   * Snoozes notifications for `minutes` (`dnd.setSnooze`, needs `dnd:write`; an active snooze is replaced). Slack
   * refuses durations it finds too long with `too_long` (a PlatformInputError: not retried).
   */
  async snooze(token: string, minutes: number): Promise<void> {
    await this.call(() => this.client.dnd.setSnooze({ token, num_minutes: minutes }));
  }

  /** Ends the snooze (`dnd.endSnooze`). `not-active`: there was none (the user ended it, or it ran out). */
  async endSnooze(token: string): Promise<'ended' | 'not-active'> {
    try {
      await this.call(() => this.client.dnd.endSnooze({ token }));
      return 'ended';
    } catch (error) {
      if (error instanceof PlatformError && error.code === 'snooze_not_active') return 'not-active';
      throw error;
    }
  }

  /** Slack answers `users.profile.set` with the profile it now has: that is the receipt. */
  private async writeProfile(token: string, profile: Record<string, string | number>): Promise<PlatformStatusReading> {
    const answer = await this.call(() => this.client.users.profile.set({ token, profile }));
    return readingOf(answer.profile);
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toSlackError(error);
    }
  }
}

interface SlackProfileStatus {
  status_text?: string;
  status_emoji?: string;
  status_expiration?: number;
}

function readingOf(profile: SlackProfileStatus | undefined): PlatformStatusReading {
  return {
    emoji: profile?.status_emoji || null,
    message: profile?.status_text || null,
    expiresAt: profile?.status_expiration ? new Date(profile.status_expiration * 1000) : null,
  };
}

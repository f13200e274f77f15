import { Inject, Injectable, Logger } from '@nestjs/common';
import { CalendarAuthError, CalendarOAuthClient, calendarOAuthClients, CalendarTokens, FeedProblem, ProviderType, sealCalendarToken } from '@statusync/calendar-feeds';
import { APP_CONFIG, AppConfig, ProblemException, TokenCipher } from '@statusync/core';
import { AuditRepository, CalendarsRepository, UserScope } from '@statusync/db';
import { CalendarPollProducer } from '@statusync/queue';
import { AuthUser } from '../auth/auth-user';
import { invalidState, OAuthCallback } from '../oauth/callback-query';
import { OAuthStateError, OAuthStateRecord, OAuthStateService } from '../oauth/oauth-state.service';
import { calendarView } from './calendar-view';
import { CalendarView } from './calendars.views';

const LABEL: Record<ProviderType, string> = { google: 'Google', microsoft: 'Microsoft' };
const ENV: Record<ProviderType, string> = { google: 'GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET', microsoft: 'MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET' };

/** The state's "platform": a calendar flow's state cannot complete a platform flow, nor Google's Microsoft's. */
const flowOf = (type: ProviderType) => `calendar-${type}`;

/**
 * Connecting a Google or Microsoft calendar with OAuth (authorization code + PKCE), mirroring the platforms' flow
 * (decisions §16): start() hands out the provider's authorize URL with a signed single-use state naming the
 * calendar; complete() checks the state, exchanges the code, checks the granted scope, seals the tokens on the
 * calendar's row and asks the poller to read it at once.
 */
@Injectable()
export class CalendarConnectService {
  private readonly logger = new Logger(CalendarConnectService.name);
  private readonly cipher: TokenCipher;
  private readonly clients: Partial<Record<ProviderType, CalendarOAuthClient>>;
  private readonly redirectBaseUrl: string;

  constructor(
    private readonly states: OAuthStateService,
    private readonly scope: UserScope,
    private readonly calendars: CalendarsRepository,
    private readonly audit: AuditRepository,
    private readonly poller: CalendarPollProducer,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cipher = new TokenCipher(config.tokenEncryptionKeys);
    this.clients = calendarOAuthClients(config);
    this.redirectBaseUrl = config.oauth.redirectBaseUrl;
  }

  clientOrNull(type: ProviderType): CalendarOAuthClient | undefined {
    return this.clients[type];
  }

  /** Throws the 422 naming `type` when the provider's OAuth app is not configured here. */
  clientFor(type: ProviderType): CalendarOAuthClient {
    const client = this.clients[type];
    if (!client) {
      throw new ProblemException(
        422,
        'not-configured',
        'Not configured',
        `${LABEL[type]} calendars are not configured on this server (${ENV[type]} are not set); connect an ICS feed address instead`,
        [{ field: 'type', reason: `${type} calendars are not configured on this server` }],
      );
    }
    return client;
  }

  async start(userId: string, calendarId: string, type: ProviderType): Promise<{ authorizeUrl: string; expiresAt: string }> {
    const client = this.clientFor(type);
    const { state, codeChallenge, expiresAt } = await this.states.issue(userId, flowOf(type), calendarId);
    return { authorizeUrl: client.authorizeUrl({ state, redirectUri: this.redirectUri(type), codeChallenge }), expiresAt: expiresAt.toISOString() };
  }

  /** `caller` is set when the callback carried a bearer JWT: it must be the user the state was issued to. */
  async complete(type: ProviderType, callback: OAuthCallback, caller: AuthUser | null, requestId: string | null): Promise<CalendarView> {
    const client = this.clientFor(type);
    if (!callback.state) throw invalidState('state is missing');
    let issued: OAuthStateRecord;
    try {
      issued = await this.states.consume(flowOf(type), callback.state);
    } catch (error) {
      if (error instanceof OAuthStateError) throw invalidState(error.message);
      throw error;
    }
    if (!issued.subject) throw invalidState('state does not name a calendar');
    if (caller && caller.id !== issued.userId) {
      this.logger.warn({ userId: caller.id, type, requestId }, 'calendar oauth callback with a state issued to another user');
      throw invalidState('state was issued to another user');
    }
    if (callback.error) throw refused(type, callback.error);
    if (!callback.code) throw new ProblemException(400, 'validation', 'Invalid request', 'The callback carries neither a code nor an error.', [{ field: 'code', reason: 'code is missing' }]);
    const tokens = await this.exchange(client, type, callback.code, issued.codeVerifier);
    const { userId, subject: calendarId } = issued;
    const [row, org] = await this.scope.run(userId, async (db) => {
      const current = await this.calendars.find(db, calendarId);
      // Deleted while the person was at the provider: nothing to store the tokens on.
      if (!current || current.type !== type) throw new ProblemException(404, 'not-found', 'Not Found', 'calendar not found');
      const sealed = {
        accessToken: sealCalendarToken(this.cipher, userId, calendarId, 'access', tokens.accessToken),
        refreshToken: sealCalendarToken(this.cipher, userId, calendarId, 'refresh', tokens.refreshToken!),
        expiresAt: tokens.expiresAt,
      };
      const connected = await this.calendars.connectTokens(db, calendarId, sealed, tokens.scopes);
      await this.audit.record(db, { userId, event: 'calendar.connected', details: { calendarId, type, scopes: tokens.scopes }, requestId });
      const [user] = await db.query(`SELECT org_id AS "orgId" FROM users WHERE id = $1`, [userId]);
      return [connected!, user?.orgId ? await this.calendars.orgDefaults(db, user.orgId) : {}] as const;
    });
    this.logger.log({ userId, calendarId, type }, 'calendar connected');
    await this.poller.readNow({ calendarId, userId });
    return calendarView(row, org);
  }

  private async exchange(client: CalendarOAuthClient, type: ProviderType, code: string, codeVerifier: string): Promise<CalendarTokens> {
    try {
      return await client.exchange({ code, redirectUri: this.redirectUri(type), codeVerifier });
    } catch (error) {
      if (error instanceof CalendarAuthError) throw refused(type, error.code);
      if (error instanceof FeedProblem) {
        throw new ProblemException(503, 'platform-unavailable', 'Platform unavailable', `${LABEL[type]} could not be reached to complete the connection (${error.reason}); try again`, undefined, {
          platform: type,
          retryAfterSeconds: 5,
        });
      }
      throw error;
    }
  }

  /** Must be byte-for-byte the URI registered with the provider's app, in both the authorize and the token request. */
  private redirectUri(type: ProviderType): string {
    return `${this.redirectBaseUrl}/api/v1/oauth/calendars/${type}/callback`;
  }
}

/** The provider said no (declined consent, a refused or used code, a narrower grant): nothing stored. */
const refused = (type: ProviderType, code: string) =>
  new ProblemException(422, 'oauth-refused', 'Authorisation refused by the platform', `${LABEL[type]} refused the authorisation: ${code}`, [{ field: 'code', reason: `${type} answered ${code}` }], {
    platform: type,
    platformError: code,
  });

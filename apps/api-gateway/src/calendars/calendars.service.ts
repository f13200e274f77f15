import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CalendarInputError } from '@statusync/calendar';
import {
  CalendarRead,
  CalendarToRead,
  closePushChannel,
  engineRules,
  FeedProblem,
  openFeedUrl,
  ProviderType,
  readCalendar,
  redactFeedUrl,
  sealFeedUrl,
  withAccessToken,
} from '@statusync/calendar-feeds';
import { APP_CONFIG, AppConfig, checkFetchableUrl, ProblemException, TokenCipher, UnsafeUrlError } from '@statusync/core';
import { CalendarForRead, CalendarsRepository, SpansRepository, UserScope } from '@statusync/db';
import { CalendarPollProducer, SpanEdgeProducer } from '@statusync/queue';
import { EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { CalendarConnectService } from './calendar-connect.service';
import { calendarView } from './calendar-view';
import { CreateCalendarDto, PreviewQueryDto, UpdateCalendarDto } from './calendars.dto';
import { CalendarAuthorizeView, CalendarCreatedView, CalendarPreviewView, CalendarView } from './calendars.views';

const DAY_MS = 86_400_000;
const MAX_PREVIEW_DAYS = 62;

const invalid = (field: string, reason: string) =>
  new ProblemException(400, 'validation', 'Invalid request', 'One or more fields are invalid.', [{ field, reason }]);
const notFound = () => new ProblemException(404, 'not-found', 'Not Found', 'calendar not found');

/** Connected calendars: CRUD under the caller's row-level-security scope, and the live preview. */
@Injectable()
export class CalendarsService {
  private readonly logger = new Logger(CalendarsService.name);
  private readonly cipher: TokenCipher;

  constructor(
    private readonly scope: UserScope,
    private readonly calendars: CalendarsRepository,
    private readonly poller: CalendarPollProducer,
    private readonly spans: SpansRepository,
    private readonly spanEdges: SpanEdgeProducer,
    private readonly connect: CalendarConnectService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.cipher = new TokenCipher(config.tokenEncryptionKeys);
  }

  private run<T>(user: AuthUser, work: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.scope.run(user.id, work, { orgId: user.orgId, role: user.role });
  }

  /** The caller's org's default rules, which every calendar's view shows merged in. */
  private orgRules(db: EntityManager, user: AuthUser) {
    return user.orgId ? this.calendars.orgDefaults(db, user.orgId) : Promise.resolve({});
  }

  async create(user: AuthUser, dto: CreateCalendarDto): Promise<CalendarCreatedView> {
    if (dto.type !== 'ics') return this.createProvider(user, dto.type, dto);
    if (!dto.url) throw invalid('url', 'url is required for an ics calendar');
    const url = await this.checkUrl(dto.url);
    const id = randomUUID();
    const [row, org] = await this.run(user, async (db) => [
      await this.calendars.create(db, {
        id,
        userId: user.id,
        type: 'ics',
        ownerEmail: dto.ownerEmail ?? user.email ?? null,
        url: sealFeedUrl(this.cipher, user.id, id, url),
        urlHint: redactFeedUrl(url),
        rules: { ...dto.rules },
      }),
      await this.orgRules(db, user),
    ] as const);
    await this.poller.readNow({ calendarId: id, userId: user.id });
    return { ...calendarView(row, org), authorizeUrl: null };
  }

  /** A Google/Microsoft calendar starts `connecting`: the person approves at the provider, the callback stores the tokens. */
  private async createProvider(user: AuthUser, type: ProviderType, dto: CreateCalendarDto): Promise<CalendarCreatedView> {
    if (dto.url !== undefined) throw invalid('url', `url is only for ics calendars; ${type} calendars connect with OAuth`);
    this.connect.clientFor(type);
    const id = randomUUID();
    const [row, org] = await this.run(user, async (db) => [
      await this.calendars.create(db, { id, userId: user.id, type, ownerEmail: dto.ownerEmail ?? user.email ?? null, url: null, urlHint: null, rules: { ...dto.rules }, state: 'connecting' }),
      await this.orgRules(db, user),
    ] as const);
    const { authorizeUrl } = await this.connect.start(user.id, id, type);
    return { ...calendarView(row, org), authorizeUrl };
  }

  /** A new authorize URL for a provider calendar: finish a connection, or reconnect one whose access was revoked. */
  async authorize(user: AuthUser, id: string): Promise<CalendarAuthorizeView> {
    const row = await this.run(user, (db) => this.calendars.find(db, id));
    if (!row) throw notFound();
    if (row.type === 'ics') throw invalid('id', 'an ics calendar is not connected with OAuth; delete it and add the new feed address');
    return this.connect.start(user.id, id, row.type);
  }

  async list(user: AuthUser): Promise<CalendarView[]> {
    const [rows, org] = await this.run(user, async (db) => [await this.calendars.list(db), await this.orgRules(db, user)] as const);
    return rows.map((row) => calendarView(row, org));
  }

  async get(user: AuthUser, id: string): Promise<CalendarView> {
    const [row, org] = await this.run(user, async (db) => [await this.calendars.find(db, id), await this.orgRules(db, user)] as const);
    if (!row) throw notFound();
    return calendarView(row, org);
  }

  async update(user: AuthUser, id: string, dto: UpdateCalendarDto): Promise<CalendarView> {
    const [row, org] = await this.run(user, async (db) => {
      const current = await this.calendars.find(db, id);
      if (!current) throw notFound();
      const ownerEmail = dto.ownerEmail === undefined ? current.ownerEmail : (dto.ownerEmail ?? user.email ?? null);
      return [await this.calendars.updateRules(db, id, { ...current.rules, ...dto.rules }, ownerEmail), await this.orgRules(db, user)] as const;
    });
    if (!row) throw notFound();
    // The stored spans follow the new rules at once rather than at the next poll.
    await this.poller.readNow({ calendarId: id, userId: user.id });
    return calendarView(row, org);
  }

  /** Also cancels the calendar's statuses to come; one under way ends now, so what it replaced comes back. */
  async remove(user: AuthUser, id: string): Promise<void> {
    const outcome = await this.run(user, async (db) => {
      // Read (and locked) first: its push channel is stopped after the delete commits.
      const calendar = await this.calendars.findForRead(db, id, 'wait');
      const cancelled = await this.spans.cancelSource(db, user.id, 'calendar', id);
      return calendar && (await this.calendars.remove(db, id)) ? { calendar, ended: cancelled.endedNow } : null;
    });
    if (!outcome) throw notFound();
    if (outcome.ended.length > 0) await this.spanEdges.schedule(outcome.ended);
    await this.stopPush(outcome.calendar);
  }

  /** The provider stops notifying us of a deleted calendar. Best effort: a notification for it finds nothing anyway. */
  private async stopPush(calendar: CalendarForRead): Promise<void> {
    if (calendar.type === 'ics' || !calendar.pushChannelId) return;
    const type = calendar.type;
    const channel = { channelId: calendar.pushChannelId, resourceId: calendar.pushResourceId };
    try {
      await withAccessToken(calendar, this.cipher, this.connect.clientOrNull(type), async () => undefined, (accessToken, apiUrl) =>
        closePushChannel(type, { apiUrl, accessToken, timeoutMs: this.config.calendars.fetchTimeoutMs }, channel),
      );
    } catch (error) {
      this.logger.warn({ err: error, calendarId: calendar.id }, 'push channel of a deleted calendar not stopped');
    }
  }

  /** Reads the source now through the same code as the poller (no ETag: a preview always needs the body). */
  async preview(user: AuthUser, id: string, query: PreviewQueryDto): Promise<CalendarPreviewView> {
    const from = query.from ? new Date(query.from) : new Date();
    const to = query.to ? new Date(query.to) : new Date(from.getTime() + 7 * DAY_MS);
    if (to.getTime() <= from.getTime()) throw invalid('to', 'must be after from');
    if (to.getTime() - from.getTime() > MAX_PREVIEW_DAYS * DAY_MS) throw invalid('to', `must be at most ${MAX_PREVIEW_DAYS} days after from`);
    try {
      const read = await this.readForPreview(user, id, { from, to });
      if (!read.changed) throw new FeedProblem('the feed answered 304 to a request without validators', false);
      return read.result;
    } catch (error) {
      if (error instanceof CalendarInputError) throw invalid(error.field, error.reason);
      if (error instanceof FeedProblem) throw new ProblemException(422, 'calendar-unreadable', 'Calendar not readable', error.reason);
      throw error;
    }
  }

  /**
   * ICS: read the feed without touching the row. Google/Microsoft: a full round over the window (the stored sync
   * state is the poller's), under the row lock, since an expired access token is refreshed and stored here too.
   */
  private async readForPreview(user: AuthUser, id: string, window: { from: Date; to: Date }): Promise<CalendarRead> {
    const options = { allowPrivate: this.config.allowPrivateUrls, timeoutMs: this.config.calendars.fetchTimeoutMs, maxBytes: this.config.calendars.maxBytes };
    const none = { etag: null, lastModified: null };
    const calendar = await this.run(user, (db) => this.calendars.findForRead(db, id));
    if (!calendar) throw notFound();
    const toRead: CalendarToRead = { type: calendar.type, url: null, ownerEmail: calendar.ownerEmail, timeZone: calendar.timeZone, rules: engineRules(calendar.rules, calendar.orgRules) };
    if (calendar.type === 'ics') {
      const url = calendar.urlCiphertext ? openFeedUrl(this.cipher, calendar.userId, calendar.id, { ciphertext: calendar.urlCiphertext, keyId: calendar.urlKeyId! }) : null;
      return readCalendar({ ...toRead, url }, window, none, options);
    }
    // A feed problem comes out as a value, so the transaction still commits a token refreshed before it.
    const outcome = await this.run(user, async (db) => {
      const locked = await this.calendars.findForRead(db, id, 'wait');
      if (!locked) throw notFound();
      return withAccessToken(
        locked,
        this.cipher,
        this.connect.clientOrNull(locked.type as ProviderType),
        (tokens) => this.calendars.storeTokens(db, id, tokens),
        (accessToken, apiUrl) => readCalendar({ ...toRead, provider: { apiUrl, accessToken, sync: { token: null, items: {} }, fullWindow: window } }, window, none, options),
      ).catch((error: unknown) => {
        if (error instanceof FeedProblem) return error;
        throw error;
      });
    });
    if (outcome instanceof FeedProblem) throw outcome;
    return outcome;
  }

  private async checkUrl(url: string): Promise<string> {
    try {
      return (await checkFetchableUrl(url, this.config.allowPrivateUrls)).toString();
    } catch (error) {
      if (error instanceof UnsafeUrlError) throw invalid('url', error.reason);
      throw error;
    }
  }
}

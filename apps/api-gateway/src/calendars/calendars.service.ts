import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CalendarInputError } from '@statusync/calendar';
import { engineRules, FeedProblem, openFeedUrl, readCalendar, redactFeedUrl, sealFeedUrl } from '@statusync/calendar-feeds';
import { APP_CONFIG, AppConfig, checkFetchableUrl, ProblemException, TokenCipher, UnsafeUrlError } from '@statusync/core';
import { CalendarsRepository, SpansRepository, UserScope } from '@statusync/db';
import { CalendarPollProducer, SpanEdgeProducer } from '@statusync/queue';
import { EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { calendarView } from './calendar-view';
import { CreateCalendarDto, PreviewQueryDto, UpdateCalendarDto } from './calendars.dto';
import { CalendarPreviewView, CalendarView } from './calendars.views';

const DAY_MS = 86_400_000;
const MAX_PREVIEW_DAYS = 62;

const invalid = (field: string, reason: string) =>
  new ProblemException(400, 'validation', 'Invalid request', 'One or more fields are invalid.', [{ field, reason }]);
const notFound = () => new ProblemException(404, 'not-found', 'Not Found', 'calendar not found');

/** Connected calendars: CRUD under the caller's row-level-security scope, and the live preview. */
@Injectable()
export class CalendarsService {
  private readonly cipher: TokenCipher;

  constructor(
    private readonly scope: UserScope,
    private readonly calendars: CalendarsRepository,
    private readonly poller: CalendarPollProducer,
    private readonly spans: SpansRepository,
    private readonly spanEdges: SpanEdgeProducer,
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

  async create(user: AuthUser, dto: CreateCalendarDto): Promise<CalendarView> {
    if (dto.type !== 'ics') throw invalid('type', `${dto.type} calendars cannot be connected yet: use an ICS (iCalendar) feed address`);
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
    return calendarView(row, org);
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
    const ended = await this.run(user, async (db) => {
      const cancelled = await this.spans.cancelSource(db, user.id, 'calendar', id);
      return (await this.calendars.remove(db, id)) ? cancelled.endedNow : null;
    });
    if (!ended) throw notFound();
    if (ended.length > 0) await this.spanEdges.schedule(ended);
  }

  /** Reads the source now through the same code as the poller (no ETag: a preview always needs the body). */
  async preview(user: AuthUser, id: string, query: PreviewQueryDto): Promise<CalendarPreviewView> {
    const from = query.from ? new Date(query.from) : new Date();
    const to = query.to ? new Date(query.to) : new Date(from.getTime() + 7 * DAY_MS);
    if (to.getTime() <= from.getTime()) throw invalid('to', 'must be after from');
    if (to.getTime() - from.getTime() > MAX_PREVIEW_DAYS * DAY_MS) throw invalid('to', `must be at most ${MAX_PREVIEW_DAYS} days after from`);
    const calendar = await this.run(user, (db) => this.calendars.findForRead(db, id));
    if (!calendar) throw notFound();
    const url = calendar.urlCiphertext ? openFeedUrl(this.cipher, calendar.userId, calendar.id, { ciphertext: calendar.urlCiphertext, keyId: calendar.urlKeyId! }) : null;
    try {
      const read = await readCalendar(
        { type: calendar.type, url, ownerEmail: calendar.ownerEmail, timeZone: calendar.timeZone, rules: engineRules(calendar.rules, calendar.orgRules) },
        { from, to },
        { etag: null, lastModified: null },
        { allowPrivate: this.config.allowPrivateUrls, timeoutMs: this.config.calendars.fetchTimeoutMs, maxBytes: this.config.calendars.maxBytes },
      );
      if (!read.changed) throw new FeedProblem('the feed answered 304 to a request without validators', false);
      return read.result;
    } catch (error) {
      if (error instanceof CalendarInputError) throw invalid(error.field, error.reason);
      if (error instanceof FeedProblem) throw new ProblemException(422, 'calendar-unreadable', 'Calendar not readable', error.reason);
      throw error;
    }
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

import { Inject, Injectable, Logger } from '@nestjs/common';
import { BusySpan } from '@statusync/calendar';
import {
  CalendarOAuthClient,
  calendarOAuthClients,
  CalendarRead,
  CalendarToRead,
  closePushChannel,
  effectiveRules,
  engineRules,
  FeedProblem,
  openFeedUrl,
  openPushChannel,
  PUSH_RENEW_BEFORE_MS,
  pushAddress,
  PushChannelInfo,
  pushToken,
  ProviderType,
  readCalendar,
  renewPushChannel,
  spanTitle,
  withAccessToken,
} from '@statusync/calendar-feeds';
import { APP_CONFIG, AppConfig, TokenCipher } from '@statusync/core';
import { CalendarForRead, CalendarsRepository, FetchOutcome, SpanRow, SpansRepository, StoredSpan, UserScope } from '@statusync/db';
import { ReadCalendarJob, SpanEdgeProducer } from '@statusync/queue';
import { EntityManager } from 'typeorm';
import { calendarTimedSpans } from './calendar-statuses';
import { nextFetchAt } from './poll-timing';

/** A 304 is trusted for this long; after it the whole feed is read again so the span window moves on. */
const FULL_READ_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Google's stored events and Graph's deltaLink (which keeps its first window) start over this often. */
const FULL_SYNC_EVERY_MS = DAY_MS;

/**
 * Reads one calendar: fetch (conditional), the rules engine, store the spans, record the outcome. The row is
 * locked while reading, so two pollers never read one calendar at once. Feed problems are outcomes (recorded,
 * shown to the user, retried later with back-off), never crashes; anything else is rethrown.
 */
@Injectable()
export class CalendarReader {
  private readonly logger = new Logger(CalendarReader.name);
  private readonly cipher: TokenCipher;
  private readonly clients: Partial<Record<ProviderType, CalendarOAuthClient>>;

  constructor(
    private readonly scope: UserScope,
    private readonly calendars: CalendarsRepository,
    private readonly spans: SpansRepository,
    private readonly spanEdges: SpanEdgeProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.cipher = new TokenCipher(config.tokenEncryptionKeys);
    this.clients = calendarOAuthClients(config);
  }

  /** Returns when to read next, or null when the calendar is gone (or another poller holds it). */
  async read(job: ReadCalendarJob): Promise<Date | null> {
    const toSchedule: SpanRow[] = [];
    const next = await this.scope.run(job.userId, async (db) => {
      const calendar = await this.calendars.findForRead(db, job.calendarId, true);
      // Gone, held by another poller, or still waiting for the person's consent at the provider (no token yet).
      if (!calendar || calendar.state === 'connecting') return null;
      const outcome = await this.fetchAndStore(db, calendar, job.force === true, toSchedule);
      await this.calendars.recordFetch(db, calendar.id, outcome);
      this.logger.log({ calendarId: calendar.id, state: outcome.state, error: outcome.lastError, nextFetchAt: outcome.nextFetchAt }, 'calendar read');
      return outcome.nextFetchAt;
    });
    // After the commit: the scheduler's delayed jobs fire each span's start and end on time (its reconcile pass
    // covers them too if this fails, only later).
    if (toSchedule.length > 0) await this.spanEdges.schedule(toSchedule);
    return next;
  }

  private async fetchAndStore(db: EntityManager, calendar: CalendarForRead, force: boolean, toSchedule: SpanRow[]): Promise<FetchOutcome> {
    const now = new Date();
    const { pollIntervalMs, fetchTimeoutMs, maxBytes, horizonDays } = this.config.calendars;
    const fresh = calendar.spansComputedAt !== null && now.getTime() - new Date(calendar.spansComputedAt).getTime() < FULL_READ_EVERY_MS;
    const conditional = !force && fresh && calendar.state === 'active';
    const window = { from: new Date(now.getTime() - DAY_MS), to: new Date(now.getTime() + horizonDays * DAY_MS) };
    try {
      const toRead: CalendarToRead = { type: calendar.type, url: null, ownerEmail: calendar.ownerEmail, timeZone: calendar.timeZone, rules: engineRules(calendar.rules, calendar.orgRules) };
      const fetchOptions = { allowPrivate: this.config.allowPrivateUrls, timeoutMs: fetchTimeoutMs, maxBytes };
      let read: CalendarRead;
      let fullRound = false;
      if (calendar.type === 'ics') {
        const url = calendar.urlCiphertext ? openFeedUrl(this.cipher, calendar.userId, calendar.id, { ciphertext: calendar.urlCiphertext, keyId: calendar.urlKeyId! }) : null;
        // From a day back: a meeting under way keeps its real start (the engine keys spans by it) instead of now.
        read = await readCalendar({ ...toRead, url }, window, conditional ? { etag: calendar.etag, lastModified: calendar.lastModified } : { etag: null, lastModified: null }, fetchOptions);
      } else {
        const started = calendar.syncStartedAt ? new Date(calendar.syncStartedAt).getTime() : null;
        fullRound = calendar.syncToken === null || started === null || now.getTime() - started >= FULL_SYNC_EVERY_MS;
        const sync = fullRound ? { token: null, items: {} } : { token: calendar.syncToken, items: calendar.syncItems ?? {} };
        // Graph keeps the first round's window for a day: one day more than the horizon, so it never falls short.
        const fullWindow = { from: window.from, to: new Date(window.to.getTime() + DAY_MS) };
        read = await withAccessToken(
          calendar,
          this.cipher,
          this.clients[calendar.type],
          (tokens) => this.calendars.storeTokens(db, calendar.id, tokens),
          async (accessToken, apiUrl) => {
            const done = await readCalendar({ ...toRead, provider: { apiUrl, accessToken, sync, fullWindow } }, window, { etag: null, lastModified: null }, fetchOptions);
            await this.keepPushChannel(db, calendar, { apiUrl, accessToken, timeoutMs: fetchTimeoutMs });
            return done;
          },
        );
      }
      if (read.changed && read.sync) {
        const startedAt = fullRound || !calendar.syncStartedAt ? now : new Date(calendar.syncStartedAt);
        await this.calendars.recordSync(db, calendar.id, { token: read.sync.token, items: read.sync.items, startedAt });
      }
      const done = { state: 'active' as const, failures: 0, lastError: null, lastFetchedAt: now, nextFetchAt: nextFetchAt(now, calendar.id, pollIntervalMs, 0) };
      if (!read.changed) return { ...done, etag: calendar.etag, lastModified: calendar.lastModified, spansComputedAt: null };
      const stored = this.spansToStore(calendar, read.result.busy).filter((span) => new Date(span.endsAt) > now);
      await this.calendars.replaceSpans(db, calendar, stored);
      // The span engine (scheduler) sets and restores statuses from them, like a schedule's occurrences.
      const changes = await this.spans.replaceForSource(db, {
        userId: calendar.userId,
        source: 'calendar',
        sourceId: calendar.id,
        spans: calendarTimedSpans(stored, calendar.timeZone, effectiveRules(calendar.rules, calendar.orgRules).focusDnd),
        window,
      });
      toSchedule.push(...changes.changed, ...changes.endedNow);
      return { ...done, etag: read.etag, lastModified: read.lastModified, spansComputedAt: now };
    } catch (error) {
      if (!(error instanceof FeedProblem)) throw error;
      const failures = calendar.failures + 1;
      return {
        state: error.permanent ? 'broken' : calendar.state,
        etag: calendar.etag,
        lastModified: calendar.lastModified,
        failures,
        lastError: error.reason,
        lastFetchedAt: null,
        spansComputedAt: null,
        nextFetchAt: nextFetchAt(now, calendar.id, pollIntervalMs, failures),
      };
    }
  }

  /**
   * With PUBLIC_BASE_URL, keeps a Google watch channel / Graph subscription open so changes are read at once:
   * opened after the first successful read, renewed a day before it expires (Google: a new channel, then the old one
   * stopped). Best effort: polling goes on regardless, so a failure is logged, never a failed read.
   */
  private async keepPushChannel(db: EntityManager, calendar: CalendarForRead, access: { apiUrl: string; accessToken: string; timeoutMs: number }): Promise<void> {
    const base = this.config.calendars.publicBaseUrl;
    if (!base) return;
    const type = calendar.type as ProviderType;
    const current: PushChannelInfo | null = calendar.pushChannelId
      ? { channelId: calendar.pushChannelId, resourceId: calendar.pushResourceId, expiresAt: new Date(calendar.pushExpiresAt ?? 0) }
      : null;
    if (current && current.expiresAt.getTime() - Date.now() > PUSH_RENEW_BEFORE_MS) return;
    try {
      const renewed = current ? await renewPushChannel(type, access, current) : null;
      const next = renewed ?? (await openPushChannel(type, access, pushAddress(base, type), pushToken(this.config.tokenEncryptionKeys[0].key, calendar.id)));
      await this.calendars.recordPush(db, calendar.id, next);
      this.logger.log({ calendarId: calendar.id, channelId: next.channelId, expiresAt: next.expiresAt, renewed: renewed !== null }, 'calendar push channel open');
      if (current && current.channelId !== next.channelId) await closePushChannel(type, access, current);
    } catch (error) {
      this.logger.warn({ err: error, calendarId: calendar.id }, 'calendar push channel not opened or renewed; polling continues');
    }
  }

  /** Only the kinds the rules act on; titles only where the engine let them through. */
  private spansToStore(calendar: CalendarForRead, busy: BusySpan[]): StoredSpan[] {
    const kinds = effectiveRules(calendar.rules, calendar.orgRules).kinds;
    return busy.filter((span) => kinds.includes(span.kind)).map((span) => ({ startsAt: span.start, endsAt: span.end, kind: span.kind, title: spanTitle(span) }));
  }
}

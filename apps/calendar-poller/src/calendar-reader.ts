import { Inject, Injectable, Logger } from '@nestjs/common';
import { BusySpan } from '@statusync/calendar';
import { effectiveRules, engineRules, FeedProblem, openFeedUrl, readCalendar, spanTitle } from '@statusync/calendar-feeds';
import { APP_CONFIG, AppConfig, TokenCipher } from '@statusync/core';
import { CalendarForRead, CalendarsRepository, FetchOutcome, SpanRow, SpansRepository, StoredSpan, UserScope } from '@statusync/db';
import { ReadCalendarJob, SpanEdgeProducer } from '@statusync/queue';
import { EntityManager } from 'typeorm';
import { calendarTimedSpans } from './calendar-statuses';
import { nextFetchAt } from './poll-timing';

/** A 304 is trusted for this long; after it the whole feed is read again so the span window moves on. */
const FULL_READ_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Reads one calendar: fetch (conditional), the rules engine, store the spans, record the outcome. The row is
 * locked while reading, so two pollers never read one calendar at once. Feed problems are outcomes (recorded,
 * shown to the user, retried later with back-off), never crashes; anything else is rethrown.
 */
@Injectable()
export class CalendarReader {
  private readonly logger = new Logger(CalendarReader.name);
  private readonly cipher: TokenCipher;

  constructor(
    private readonly scope: UserScope,
    private readonly calendars: CalendarsRepository,
    private readonly spans: SpansRepository,
    private readonly spanEdges: SpanEdgeProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.cipher = new TokenCipher(config.tokenEncryptionKeys);
  }

  /** Returns when to read next, or null when the calendar is gone (or another poller holds it). */
  async read(job: ReadCalendarJob): Promise<Date | null> {
    const toSchedule: SpanRow[] = [];
    const next = await this.scope.run(job.userId, async (db) => {
      const calendar = await this.calendars.findForRead(db, job.calendarId, true);
      if (!calendar) return null;
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
    try {
      const url = calendar.urlCiphertext ? openFeedUrl(this.cipher, calendar.userId, calendar.id, { ciphertext: calendar.urlCiphertext, keyId: calendar.urlKeyId! }) : null;
      const read = await readCalendar(
        { type: calendar.type, url, ownerEmail: calendar.ownerEmail, timeZone: calendar.timeZone, rules: engineRules(calendar.rules, calendar.orgRules) },
        // From a day back: a meeting under way keeps its real start (the engine keys spans by it) instead of now.
        { from: new Date(now.getTime() - DAY_MS), to: new Date(now.getTime() + horizonDays * DAY_MS) },
        conditional ? { etag: calendar.etag, lastModified: calendar.lastModified } : { etag: null, lastModified: null },
        { allowPrivate: this.config.allowPrivateUrls, timeoutMs: fetchTimeoutMs, maxBytes },
      );
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
        window: { from: new Date(now.getTime() - DAY_MS), to: new Date(now.getTime() + horizonDays * DAY_MS) },
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

  /** Only the kinds the rules act on; titles only where the engine let them through. */
  private spansToStore(calendar: CalendarForRead, busy: BusySpan[]): StoredSpan[] {
    const kinds = effectiveRules(calendar.rules, calendar.orgRules).kinds;
    return busy.filter((span) => kinds.includes(span.kind)).map((span) => ({ startsAt: span.start, endsAt: span.end, kind: span.kind, title: spanTitle(span) }));
  }
}

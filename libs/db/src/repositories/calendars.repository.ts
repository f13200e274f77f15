import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { SealedSecret } from './sealed-secret';

export type CalendarType = 'ics' | 'google' | 'microsoft';
export type CalendarState = 'connecting' | 'pending' | 'active' | 'broken' | 'reauth_required';
export type SpanKind = 'out_of_office' | 'meeting' | 'focus';

/** Per-calendar rules as stored (jsonb); see the gateway's CalendarRulesDto for their meaning. */
export interface StoredCalendarRules {
  includeAllDay?: boolean;
  includeTitles?: boolean;
  kinds?: SpanKind[];
  focusDnd?: boolean;
}

export interface CalendarRow {
  id: string;
  userId: string;
  type: CalendarType;
  state: CalendarState;
  ownerEmail: string | null;
  urlHint: string | null;
  rules: StoredCalendarRules;
  etag: string | null;
  lastModified: string | null;
  failures: number;
  lastFetchedAt: Date | null;
  spansComputedAt: Date | null;
  nextFetchAt: Date | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What reading a calendar needs, in one query: the row, its sealed URL and the owner's zone. */
export interface CalendarForRead extends CalendarRow {
  urlCiphertext: Buffer | null;
  urlKeyId: string | null;
  timeZone: string;
  /** The owner's org's default rules (empty without an org or defaults). */
  orgRules: StoredCalendarRules;
  /** Google/Microsoft: sealed OAuth tokens (null for ICS and before consent). */
  accessToken: SealedSecret | null;
  refreshToken: SealedSecret | null;
  tokenExpiresAt: Date | null;
  /** Google's nextSyncToken or Graph's deltaLink, the events known since the last full round, and when it began. */
  syncToken: string | null;
  syncItems: Record<string, unknown> | null;
  syncStartedAt: Date | null;
  /** The provider's push channel (Google) or subscription (Graph), when PUBLIC_BASE_URL is set. */
  pushChannelId: string | null;
  pushResourceId: string | null;
  pushExpiresAt: Date | null;
}

export interface PushChannel {
  channelId: string;
  resourceId: string | null;
  expiresAt: Date;
}

/** Tokens as the provider issued them, sealed. `refreshToken` undefined keeps the stored one (Google does not rotate). */
export interface SealedCalendarTokens {
  accessToken: SealedSecret;
  refreshToken?: SealedSecret | null;
  expiresAt: Date | null;
}

/** The provider's sync state after a read. */
export interface ProviderSync {
  token: string | null;
  items: Record<string, unknown>;
  startedAt: Date;
}

export interface NewCalendar {
  id: string;
  userId: string;
  type: CalendarType;
  ownerEmail: string | null;
  url: { ciphertext: Buffer; keyId: string } | null;
  urlHint: string | null;
  rules: StoredCalendarRules;
  /** `connecting` for a provider calendar waiting for consent; default `pending`. */
  state?: CalendarState;
}

/** The outcome of one read, written in one statement. */
export interface FetchOutcome {
  state: CalendarState;
  etag: string | null;
  lastModified: string | null;
  failures: number;
  lastError: string | null;
  lastFetchedAt: Date | null;
  /** Set when the spans were recomputed from a full body (not on a 304). */
  spansComputedAt: Date | null;
  nextFetchAt: Date;
}

export interface StoredSpan {
  startsAt: string;
  endsAt: string;
  kind: SpanKind;
  title: string | null;
}

const COLUMNS = `c.id, c.user_id AS "userId", c.type, c.state, c.owner_email AS "ownerEmail", c.url_hint AS "urlHint", c.rules, c.etag,
  c.last_modified AS "lastModified", c.failures, c.last_fetched_at AS "lastFetchedAt", c.spans_computed_at AS "spansComputedAt", c.next_fetch_at AS "nextFetchAt",
  c.last_error AS "lastError", c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;

/** TypeORM answers UPDATE/DELETE … RETURNING with [rows, count], INSERT/SELECT with rows. */
const returned = (result: unknown): unknown[] => (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : (result as unknown[]));

/** Every method but `pollTargets` takes the user-scoped transaction (UserScope) it runs in; RLS keeps it to that user. */
@Injectable()
export class CalendarsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(db: EntityManager, calendar: NewCalendar): Promise<CalendarRow> {
    const [row] = await db.query(
      `INSERT INTO calendar_connections AS c (id, user_id, type, owner_email, url_ciphertext, url_key_id, url_hint, rules, state, next_fetch_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now()) RETURNING ${COLUMNS}`,
      [
        calendar.id,
        calendar.userId,
        calendar.type,
        calendar.ownerEmail,
        calendar.url?.ciphertext ?? null,
        calendar.url?.keyId ?? null,
        calendar.urlHint,
        JSON.stringify(calendar.rules),
        calendar.state ?? 'pending',
      ],
    );
    return row as CalendarRow;
  }

  async list(db: EntityManager): Promise<CalendarRow[]> {
    return (await db.query(`SELECT ${COLUMNS} FROM calendar_connections c ORDER BY c.created_at, c.id`)) as CalendarRow[];
  }

  async find(db: EntityManager, id: string): Promise<CalendarRow | null> {
    const [row] = await db.query(`SELECT ${COLUMNS} FROM calendar_connections c WHERE c.id = $1`, [id]);
    return (row as CalendarRow | undefined) ?? null;
  }

  /**
   * The row, its sealed secrets and the owner's time zone; `lock` holds the row so two readers never overlap
   * (`true`: skip a row another reader holds; `'wait'`: wait for it).
   */
  async findForRead(db: EntityManager, id: string, lock: boolean | 'wait' = false): Promise<CalendarForRead | null> {
    const [row] = await db.query(
      `SELECT ${COLUMNS}, c.url_ciphertext AS "urlCiphertext", c.url_key_id AS "urlKeyId", u.time_zone AS "timeZone",
         COALESCE(d.rules, '{}'::jsonb) AS "orgRules",
         c.access_token_ciphertext AS "accessTokenCiphertext", c.access_token_key_id AS "accessTokenKeyId",
         c.refresh_token_ciphertext AS "refreshTokenCiphertext", c.refresh_token_key_id AS "refreshTokenKeyId",
         c.token_expires_at AS "tokenExpiresAt", c.sync_token AS "syncToken", c.sync_items AS "syncItems", c.sync_started_at AS "syncStartedAt",
         c.push_channel_id AS "pushChannelId", c.push_resource_id AS "pushResourceId", c.push_expires_at AS "pushExpiresAt"
       FROM calendar_connections c JOIN users u ON u.id = c.user_id LEFT JOIN org_calendar_defaults d ON d.org_id = u.org_id
       WHERE c.id = $1 ${lock === 'wait' ? 'FOR UPDATE OF c' : lock ? 'FOR UPDATE OF c SKIP LOCKED' : ''}`,
      [id],
    );
    if (!row) return null;
    const { accessTokenCiphertext, accessTokenKeyId, refreshTokenCiphertext, refreshTokenKeyId, ...rest } = row;
    return {
      ...rest,
      accessToken: accessTokenCiphertext ? { ciphertext: accessTokenCiphertext, keyId: accessTokenKeyId } : null,
      refreshToken: refreshTokenCiphertext ? { ciphertext: refreshTokenCiphertext, keyId: refreshTokenKeyId } : null,
    } as CalendarForRead;
  }

  /**
   * Consent given: the provider's tokens and granted scopes, sync state reset, and the calendar due for a read now.
   * A calendar connected again (after `broken`) starts over the same way.
   */
  async connectTokens(db: EntityManager, id: string, tokens: SealedCalendarTokens, scopes: string[]): Promise<CalendarRow | null> {
    const [row] = returned(
      await db.query(
        `UPDATE calendar_connections c SET access_token_ciphertext = $2, access_token_key_id = $3, refresh_token_ciphertext = $4, refresh_token_key_id = $5,
           token_expires_at = $6, granted_scopes = $7, sync_token = NULL, sync_items = NULL, sync_started_at = NULL,
           state = 'pending', failures = 0, last_error = NULL, next_fetch_at = now(), updated_at = now()
         WHERE c.id = $1 RETURNING ${COLUMNS}`,
        [id, tokens.accessToken.ciphertext, tokens.accessToken.keyId, tokens.refreshToken?.ciphertext ?? null, tokens.refreshToken?.keyId ?? null, tokens.expiresAt, scopes.join(' ')],
      ),
    );
    return (row as CalendarRow | undefined) ?? null;
  }

  /** A refreshed access token; a rotated refresh token replaces the stored one (only the newest works). */
  async storeTokens(db: EntityManager, id: string, tokens: SealedCalendarTokens): Promise<void> {
    const rotate = tokens.refreshToken !== undefined;
    await db.query(
      `UPDATE calendar_connections SET access_token_ciphertext = $2, access_token_key_id = $3, token_expires_at = $4,
         refresh_token_ciphertext = CASE WHEN $5 THEN $6::bytea ELSE refresh_token_ciphertext END,
         refresh_token_key_id = CASE WHEN $5 THEN $7::text ELSE refresh_token_key_id END
       WHERE id = $1`,
      [id, tokens.accessToken.ciphertext, tokens.accessToken.keyId, tokens.expiresAt, rotate, tokens.refreshToken?.ciphertext ?? null, tokens.refreshToken?.keyId ?? null],
    );
  }

  /** The calendar's current push channel / subscription (null: none). */
  async recordPush(db: EntityManager, id: string, channel: PushChannel | null): Promise<void> {
    await db.query(`UPDATE calendar_connections SET push_channel_id = $2, push_resource_id = $3, push_expires_at = $4 WHERE id = $1`, [
      id,
      channel?.channelId ?? null,
      channel?.resourceId ?? null,
      channel?.expiresAt ?? null,
    ]);
  }

  /** Which calendar a push channel belongs to, across users (ids only, through a SECURITY DEFINER function). */
  async pushTarget(channelId: string): Promise<{ id: string; userId: string; type: CalendarType } | null> {
    const [row] = (await this.dataSource.query(`SELECT id, user_id AS "userId", type FROM statusync_calendar_push_target($1)`, [channelId])) as {
      id: string;
      userId: string;
      type: CalendarType;
    }[];
    return row ?? null;
  }

  /** The provider's sync state after a successful read (in the read's transaction). */
  async recordSync(db: EntityManager, id: string, sync: ProviderSync): Promise<void> {
    await db.query(`UPDATE calendar_connections SET sync_token = $2, sync_items = $3, sync_started_at = $4 WHERE id = $1`, [
      id,
      sync.token,
      JSON.stringify(sync.items),
      sync.startedAt,
    ]);
  }

  async updateRules(db: EntityManager, id: string, rules: StoredCalendarRules, ownerEmail: string | null): Promise<CalendarRow | null> {
    const [row] = returned(
      await db.query(`UPDATE calendar_connections c SET rules = $2, owner_email = $3, updated_at = now() WHERE c.id = $1 RETURNING ${COLUMNS}`, [
        id,
        JSON.stringify(rules),
        ownerEmail,
      ]),
    );
    return (row as CalendarRow | undefined) ?? null;
  }

  async remove(db: EntityManager, id: string): Promise<boolean> {
    return returned(await db.query(`DELETE FROM calendar_connections WHERE id = $1 RETURNING id`, [id])).length > 0;
  }

  async recordFetch(db: EntityManager, id: string, outcome: FetchOutcome): Promise<void> {
    await db.query(
      `UPDATE calendar_connections SET state = $2, etag = $3, last_modified = $4, failures = $5, last_error = $6,
         last_fetched_at = COALESCE($7, last_fetched_at), spans_computed_at = COALESCE($8, spans_computed_at), next_fetch_at = $9,
         updated_at = now() WHERE id = $1`,
      [id, outcome.state, outcome.etag, outcome.lastModified, outcome.failures, outcome.lastError, outcome.lastFetchedAt, outcome.spansComputedAt, outcome.nextFetchAt],
    );
  }

  /**
   * The one write of `calendar_spans`: a calendar's spans are replaced as a whole (what the feed says now),
   * inside the caller's transaction so readers never see half a calendar.
   */
  async replaceSpans(db: EntityManager, calendar: { id: string; userId: string }, spans: StoredSpan[]): Promise<void> {
    await db.query(`DELETE FROM calendar_spans WHERE calendar_id = $1`, [calendar.id]);
    if (spans.length === 0) return;
    await db.query(
      `INSERT INTO calendar_spans (calendar_id, user_id, starts_at, ends_at, kind, title)
       SELECT $1, $2, s.starts_at, s.ends_at, s.kind, s.title
       FROM unnest($3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[]) AS s(starts_at, ends_at, kind, title)`,
      [calendar.id, calendar.userId, spans.map((s) => s.startsAt), spans.map((s) => s.endsAt), spans.map((s) => s.kind), spans.map((s) => s.title)],
    );
  }

  async listSpans(db: EntityManager, calendarId: string): Promise<StoredSpan[]> {
    return (await db.query(
      `SELECT to_json(starts_at) #>> '{}' AS "startsAt", to_json(ends_at) #>> '{}' AS "endsAt", kind, title
       FROM calendar_spans WHERE calendar_id = $1 ORDER BY starts_at`,
      [calendarId],
    )) as StoredSpan[];
  }

  /** The caller's org's default rules (row-level security: members read, admins write). */
  async orgDefaults(db: EntityManager, orgId: string): Promise<StoredCalendarRules> {
    const [row] = await db.query(`SELECT rules FROM org_calendar_defaults WHERE org_id = $1`, [orgId]);
    return (row?.rules as StoredCalendarRules | undefined) ?? {};
  }

  async setOrgDefaults(db: EntityManager, orgId: string, rules: StoredCalendarRules): Promise<StoredCalendarRules> {
    const [row] = await db.query(
      `INSERT INTO org_calendar_defaults (org_id, rules) VALUES ($1, $2)
       ON CONFLICT (org_id) DO UPDATE SET rules = EXCLUDED.rules, updated_at = now() RETURNING rules`,
      [orgId, JSON.stringify(rules)],
    );
    return row.rules as StoredCalendarRules;
  }

  /** Every calendar the poller should keep reading, across users (ids only, through a SECURITY DEFINER function). */
  async pollTargets(): Promise<{ id: string; userId: string; nextFetchAt: Date | null }[]> {
    return (await this.dataSource.query(
      `SELECT id, user_id AS "userId", next_fetch_at AS "nextFetchAt" FROM statusync_calendar_poll_targets()`,
    )) as { id: string; userId: string; nextFetchAt: Date | null }[];
  }
}

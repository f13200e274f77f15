import type { Pool } from 'pg';

/**
 * What the sync worker may change on its own, after a request was answered: a delivery's outcome, what was
 * applied on the platform and the connection's health, and the sync log. A request must never be blamed for
 * these while the worker still has that user's work in hand; once it has none (no pending delivery), they are
 * compared too.
 */
const WORKER_COLUMNS: Record<string, string[]> = {
  platform_configs: ['state', 'reauth_reason', 'applied_update_id', 'applied_seq', 'applied_at', 'updated_at', 'lease_until', 'lease_token', 'seen_emoji', 'seen_message', 'seen_expires_at', 'seen_at', 'seen_via'],
  status_deliveries: ['state', 'attempts', 'error_code', 'error_message', 'completed_at', 'updated_at'],
};
const WORKER_TABLES = new Set(['sync_logs']);
/**
 * What the webhook delivery worker changes on its own whenever an endpoint answers (or fails to): its health. It
 * retries for days, independent of any status delivery, so these are never compared, not even in the full print.
 */
const BACKGROUND_COLUMNS: Record<string, string[]> = {
  webhooks: ['state', 'disabled_reason', 'disabled_at', 'failing_since', 'updated_at'],
};
const without = (table: string, columns: string[]) => columns.concat(BACKGROUND_COLUMNS[table] ?? []).map((column) => ` - '${column}'`).join('');
const WORKER_AUDIT_EVENTS = ['platform.reauth_required', 'oauth.refresh_failed'];

/** One user's rows, hashed per table: `stable` leaves out what the worker owns, `full` is everything. */
export interface Fingerprint {
  /** The users row as JSON, or null when the subject has no user. */
  user: string | null;
  /** Deliveries still pending: while there are any, the worker may be writing. */
  pending: number;
  stable: Record<string, string>;
  full: Record<string, string>;
}

const hashOf = (rows: string) => `(SELECT md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) || ':' || count(*) FROM (${rows}) s)`;
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Fingerprints of one user's data in every table that has a `user_id` (found in the schema, so tables added
 * later are covered), read as the owner role (row-level security does not hide anything from it).
 */
export class DbFingerprints {
  private constructor(
    private readonly db: Pool,
    private readonly sql: string,
    readonly tables: string[],
  ) {}

  static async discover(db: Pool): Promise<DbFingerprints> {
    const { rows } = await db.query<{ table_name: string }>(
      `SELECT DISTINCT table_name FROM information_schema.columns
       WHERE table_schema = current_schema() AND column_name = 'user_id' ORDER BY table_name`,
    );
    const tables = rows.map((row) => row.table_name);
    if (!tables.includes('status_deliveries')) throw new Error('no status_deliveries table: is the schema migrated?');
    const me = '(SELECT id FROM me)';
    const columns: string[] = [
      `(SELECT to_jsonb(u)::text FROM users u WHERE u.id = ${me}) AS "user"`,
      `(SELECT count(*)::int FROM status_deliveries WHERE user_id = ${me} AND state = 'pending') AS "pending"`,
      // Teams have no user_id: the caller's org's teams stand in for them.
      `${hashOf(`SELECT to_jsonb(t)::text AS r FROM teams t WHERE t.org_id = (SELECT org_id FROM users WHERE id = ${me})`)} AS "full:teams"`,
      `${hashOf(`SELECT to_jsonb(t)::text AS r FROM teams t WHERE t.org_id = (SELECT org_id FROM users WHERE id = ${me})`)} AS "stable:teams"`,
      // Org calendar defaults have no user_id either: the caller's org's row stands in.
      `${hashOf(`SELECT to_jsonb(d)::text AS r FROM org_calendar_defaults d WHERE d.org_id = (SELECT org_id FROM users WHERE id = ${me})`)} AS "full:org_calendar_defaults"`,
      `${hashOf(`SELECT to_jsonb(d)::text AS r FROM org_calendar_defaults d WHERE d.org_id = (SELECT org_id FROM users WHERE id = ${me})`)} AS "stable:org_calendar_defaults"`,
    ];
    for (const table of tables) {
      const full = `SELECT (to_jsonb(t)${without(table, [])})::text AS r FROM ${ident(table)} t WHERE t.user_id = ${me}`;
      columns.push(`${hashOf(full)} AS ${ident(`full:${table}`)}`);
      if (WORKER_TABLES.has(table)) continue;
      const dropped = without(table, WORKER_COLUMNS[table] ?? []);
      const filter = table === 'audit_events' ? ` AND t.event NOT IN (${WORKER_AUDIT_EVENTS.map((e) => `'${e}'`).join(', ')})` : '';
      columns.push(`${hashOf(`SELECT (to_jsonb(t)${dropped})::text AS r FROM ${ident(table)} t WHERE t.user_id = ${me}${filter}`)} AS ${ident(`stable:${table}`)}`);
    }
    const sql = `WITH me AS (SELECT id FROM users WHERE subject = $1) SELECT ${columns.join(',\n')}`;
    return new DbFingerprints(db, sql, tables);
  }

  /** The fingerprint of the user with this JWT subject (empty when there is none). */
  async of(subject: string | null): Promise<Fingerprint> {
    // Postgres text cannot hold NUL: no user can have such a subject.
    if (subject === null || subject.includes('\u0000')) return { user: null, pending: 0, stable: {}, full: {} };
    const { rows } = await this.db.query<Record<string, string | number | null>>(this.sql, [subject]);
    const row = rows[0];
    const stable: Record<string, string> = {};
    const full: Record<string, string> = {};
    for (const [key, value] of Object.entries(row)) {
      if (key.startsWith('stable:')) stable[key.slice(7)] = String(value);
      if (key.startsWith('full:')) full[key.slice(5)] = String(value);
    }
    return { user: (row.user as string | null) ?? null, pending: Number(row.pending), stable, full };
  }
}

/** The tables (and `users`) whose rows differ; `strong` compares the worker's columns too. `ignoreOrg`: the org follows the token. */
export function changedTables(before: Fingerprint, after: Fingerprint, strong: boolean, ignoreOrg = false): string[] {
  const userRow = (fp: Fingerprint) => {
    if (fp.user === null || !ignoreOrg) return fp.user;
    const { org_id: _org, ...rest } = JSON.parse(fp.user) as Record<string, unknown>;
    return JSON.stringify(rest);
  };
  const changed: string[] = [];
  if (userRow(before) !== userRow(after)) changed.push('users');
  const a = strong ? before.full : before.stable;
  const b = strong ? after.full : after.stable;
  for (const table of new Set([...Object.keys(a), ...Object.keys(b)])) {
    // A user that does not exist yet has no rows: the same as an empty table.
    const empty = (hash: string | undefined) => hash === undefined || hash.endsWith(':0');
    if (a[table] !== b[table] && !(empty(a[table]) && empty(b[table]))) changed.push(table);
  }
  return changed;
}

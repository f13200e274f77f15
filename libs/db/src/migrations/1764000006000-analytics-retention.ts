import { MigrationInterface, QueryRunner } from 'typeorm';

const FUNCTIONS = [
  'statusync_analytics_users(boolean)',
  'statusync_delivery_analytics(timestamptz, timestamptz, text, boolean)',
  'statusync_template_analytics(timestamptz, timestamptz, text, boolean, int)',
  'statusync_purge_history(int, int)',
];

/**
 * Analytics and history retention (issue 8, docs/decisions.md "Analytics and retention").
 * - Indexes that let a year of analytics read index entries only: deliveries by user and request time (a
 *   delivery is created in the update's own statement, so its `created_at` is the request time), and updates that
 *   came from a template or preset.
 * - Narrow SECURITY DEFINER functions: they read the caller from the transaction settings (never from a
 *   parameter), so the services' role can reach another user's figures only as an admin of that user's org.
 * - The purge: old updates in small batches (their deliveries and sync logs cascade), skipping rows someone holds.
 */
export class AnalyticsRetention1764000006000 implements MigrationInterface {
  name = 'AnalyticsRetention1764000006000';

  async up(db: QueryRunner): Promise<void> {
    const [{ schema }] = (await db.query(`SELECT current_schema() AS schema`)) as { schema: string }[];
    await db.query(`CREATE INDEX ix_users_org ON users (org_id) WHERE org_id IS NOT NULL`);
    await db.query(`
      CREATE INDEX ix_status_deliveries_user_created ON status_deliveries (user_id, created_at)
      INCLUDE (platform, state, completed_at, attempts, error_code)`);
    await db.query(`
      CREATE INDEX ix_status_updates_user_named ON status_updates (user_id, created_at)
      INCLUDE (template_name, preset, platforms) WHERE template_name IS NOT NULL OR preset IS NOT NULL`);
    // The purge walks the oldest updates first; deleting an update sets these references to NULL.
    await db.query(`CREATE INDEX ix_status_updates_created ON status_updates (created_at)`);
    await db.query(`CREATE INDEX ix_scheduled_statuses_start_update ON scheduled_statuses (start_update_id) WHERE start_update_id IS NOT NULL`);
    await db.query(`CREATE INDEX ix_scheduled_statuses_end_update ON scheduled_statuses (end_update_id) WHERE end_update_id IS NOT NULL`);

    const definer = `SECURITY DEFINER SET search_path = "${schema}", pg_temp`;
    // Whose figures: the caller's own, or (org scope) every user of the caller's org if the caller is its admin.
    await db.query(`
      CREATE FUNCTION statusync_analytics_users(p_org boolean) RETURNS uuid[]
      LANGUAGE plpgsql STABLE ${definer} AS $$
      DECLARE
        v_user uuid := statusync_current_user_id();
        v_org text := statusync_current_org_id();
      BEGIN
        IF v_user IS NULL THEN RETURN '{}'; END IF;
        IF NOT p_org THEN RETURN ARRAY[v_user]; END IF;
        IF v_org IS NULL OR statusync_current_role() <> 'admin'
           OR NOT EXISTS (SELECT 1 FROM users WHERE id = v_user AND org_id = v_org) THEN
          RAISE EXCEPTION 'org-wide analytics are for admins of the org' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN ARRAY(SELECT id FROM users WHERE org_id = v_org);
      END $$`);
    // One pass over the deliveries index, grouped down to (platform, state, code, latency in whole ms): a few
    // thousand groups however many updates, so the percentiles need no sort of every row. Retries come from
    // `attempts`, which the worker writes with each sync-log row: final deliveries were retried attempts − 1 times,
    // pending ones (their last attempt logged `retrying`) attempts times.
    await db.query(`
      CREATE FUNCTION statusync_delivery_analytics(p_from timestamptz, p_to timestamptz, p_platform text, p_org boolean)
      RETURNS TABLE (platform text, attempted bigint, succeeded bigint, superseded bigint, failed bigint,
                     failed_by_code jsonb, retries bigint, p50_ms bigint, p95_ms bigint)
      LANGUAGE plpgsql STABLE ${definer} AS $$
      #variable_conflict use_column
      DECLARE v_users uuid[] := statusync_analytics_users(p_org);
      BEGIN
        RETURN QUERY
        WITH grouped AS (
          SELECT d.platform, d.state, CASE WHEN d.state = 'failed' THEN coalesce(d.error_code, 'unknown') END AS code,
                 CASE WHEN d.state = 'succeeded' THEN floor(extract(epoch FROM d.completed_at - d.created_at) * 1000)::bigint END AS ms,
                 count(*) AS n, sum(d.attempts - CASE WHEN d.state = 'pending' THEN 0 ELSE 1 END) AS retried
          FROM status_deliveries d
          WHERE d.user_id = ANY (v_users) AND d.created_at >= p_from AND d.created_at < p_to
            AND (p_platform IS NULL OR d.platform = p_platform)
          GROUP BY 1, 2, 3, 4
        ), outcomes AS (
          SELECT g.platform, sum(g.n)::bigint AS attempted,
                 coalesce(sum(g.n) FILTER (WHERE g.state = 'succeeded'), 0)::bigint AS succeeded,
                 coalesce(sum(g.n) FILTER (WHERE g.state = 'superseded'), 0)::bigint AS superseded,
                 coalesce(sum(g.n) FILTER (WHERE g.state = 'failed'), 0)::bigint AS failed,
                 coalesce(jsonb_object_agg(g.code, g.n) FILTER (WHERE g.code IS NOT NULL), '{}'::jsonb) AS by_code,
                 sum(g.retried)::bigint AS retries
          FROM grouped g GROUP BY g.platform
        ), latencies AS (
          -- percentile_disc: the first latency whose cumulative share reaches the fraction.
          SELECT g.platform, g.ms, sum(g.n) OVER (PARTITION BY g.platform ORDER BY g.ms) AS upto, sum(g.n) OVER (PARTITION BY g.platform) AS total
          FROM grouped g WHERE g.state = 'succeeded'
        ), percentiles AS (
          SELECT l.platform, min(l.ms) FILTER (WHERE l.upto >= 0.5 * l.total) AS p50, min(l.ms) FILTER (WHERE l.upto >= 0.95 * l.total) AS p95
          FROM latencies l GROUP BY l.platform
        )
        SELECT o.platform, o.attempted, o.succeeded, o.superseded, o.failed, o.by_code, o.retries, p.p50, p.p95
        FROM outcomes o LEFT JOIN percentiles p ON p.platform = o.platform;
      END $$`);
    await db.query(`
      CREATE FUNCTION statusync_template_analytics(p_from timestamptz, p_to timestamptz, p_platform text, p_org boolean, p_limit int)
      RETURNS TABLE (name text, uses bigint)
      LANGUAGE plpgsql STABLE ${definer} AS $$
      #variable_conflict use_column
      DECLARE v_users uuid[] := statusync_analytics_users(p_org);
      BEGIN
        RETURN QUERY
        SELECT coalesce(u.template_name, u.preset), count(*)
        FROM status_updates u
        WHERE u.user_id = ANY (v_users) AND u.created_at >= p_from AND u.created_at < p_to
          AND (u.template_name IS NOT NULL OR u.preset IS NOT NULL)
          AND (p_platform IS NULL OR p_platform = ANY (u.platforms))
        GROUP BY 1 ORDER BY 2 DESC, 1
        LIMIT p_limit;
      END $$`);
    // Deletes one batch of updates older than the retention (with their deliveries and sync logs). Each user's
    // latest update, what a platform shows now and anything still being delivered stay; locked rows are skipped.
    await db.query(`
      CREATE FUNCTION statusync_purge_history(p_retention_days int, p_batch int) RETURNS int
      LANGUAGE plpgsql VOLATILE ${definer} AS $$
      DECLARE deleted int;
      BEGIN
        IF p_retention_days IS NULL OR p_retention_days < 1 OR p_batch IS NULL OR p_batch NOT BETWEEN 1 AND 10000 THEN
          RAISE EXCEPTION 'retention must be at least one day and a batch 1-10000 rows' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        DELETE FROM status_updates WHERE id IN (
          SELECT u.id FROM status_updates u
          WHERE u.created_at < now() - make_interval(days => p_retention_days)
            AND EXISTS (SELECT 1 FROM status_updates newer WHERE newer.user_id = u.user_id AND newer.seq > u.seq)
            AND NOT EXISTS (SELECT 1 FROM platform_configs pc WHERE pc.applied_update_id = u.id)
            AND NOT EXISTS (SELECT 1 FROM status_deliveries d WHERE d.update_id = u.id AND d.state = 'pending')
          ORDER BY u.created_at
          LIMIT p_batch
          FOR UPDATE OF u SKIP LOCKED);
        GET DIAGNOSTICS deleted = ROW_COUNT;
        RETURN deleted;
      END $$`);
    for (const fn of FUNCTIONS) {
      await db.query(`ALTER FUNCTION ${fn} OWNER TO statusync_system`);
      await db.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      // The helper is only called by the other functions, which run as its owner.
      if (!fn.startsWith('statusync_analytics_users')) await db.query(`GRANT EXECUTE ON FUNCTION ${fn} TO statusync_app`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const fn of [...FUNCTIONS].reverse()) await db.query(`DROP FUNCTION IF EXISTS ${fn}`);
    for (const index of [
      'ix_scheduled_statuses_end_update',
      'ix_scheduled_statuses_start_update',
      'ix_status_updates_created',
      'ix_status_updates_user_named',
      'ix_status_deliveries_user_created',
      'ix_users_org',
    ]) {
      await db.query(`DROP INDEX IF EXISTS ${index}`);
    }
  }
}

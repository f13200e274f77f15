import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accepting a status update in one round trip (issue 10, docs/decisions.md "Throughput"): the user scope, the
 * Idempotency-Key check, the configured platforms, the update with its pending deliveries and the live audience,
 * in one function the gateway calls as a single statement (its own implicit transaction).
 *
 * SECURITY INVOKER (the default): it runs as the caller's role, so row-level security binds every statement in it
 * to the user it scopes itself to, exactly as a UserScope transaction would. The scope is transaction-local, so a
 * pooled connection (and PgBouncer in transaction mode) never carries it over.
 */
export class AcceptInOneStatement1764000009000 implements MigrationInterface {
  name = 'AcceptInOneStatement1764000009000';

  async up(db: QueryRunner): Promise<void> {
    const [{ schema }] = (await db.query(`SELECT current_schema() AS schema`)) as { schema: string }[];
    await db.query(`
      CREATE FUNCTION statusync_accept_update(p_user uuid, p_org text, p_role text, p_update jsonb, p_requested text[], p_window_hours int)
      RETURNS jsonb LANGUAGE plpgsql VOLATILE SET search_path = "${schema}", pg_temp AS $$
      DECLARE
        v_new status_updates := jsonb_populate_record(NULL::status_updates, p_update);
        v_row status_updates;
        v_platforms text[];
        v_missing text[];
        v_audience jsonb;
      BEGIN
        PERFORM set_config('statusync.user_id', p_user::text, true), set_config('statusync.org_id', coalesce(p_org, ''), true),
                set_config('statusync.role', p_role, true);
        IF v_new.idempotency_key IS NOT NULL THEN
          SELECT * INTO v_row FROM status_updates WHERE user_id = p_user AND idempotency_key = v_new.idempotency_key;
          IF FOUND AND v_row.created_at >= now() - make_interval(hours => p_window_hours) THEN
            RETURN jsonb_build_object('outcome', 'replay', 'update', to_jsonb(v_row));
          END IF;
          -- A key older than the window may be reused: forget it on the old row (the only write a key adds, and rare).
          IF FOUND THEN UPDATE status_updates SET idempotency_key = NULL WHERE id = v_row.id; END IF;
        END IF;
        v_platforms := ARRAY(SELECT platform FROM platform_configs WHERE user_id = p_user ORDER BY platform);
        IF p_requested IS NULL THEN
          IF cardinality(v_platforms) = 0 THEN RETURN jsonb_build_object('outcome', 'no-platform'); END IF;
        ELSE
          v_missing := ARRAY(SELECT r FROM unnest(p_requested) WITH ORDINALITY AS t(r, i) WHERE r <> ALL (v_platforms) ORDER BY i);
          IF cardinality(v_missing) > 0 THEN RETURN jsonb_build_object('outcome', 'not-configured', 'missing', to_jsonb(v_missing)); END IF;
          v_platforms := p_requested;
        END IF;
        INSERT INTO status_updates (user_id, kind, preset, emoji, message, limited_availability, expires_at, platforms, idempotency_key,
                                    request_fingerprint, request_id, source, template_id, template_name, platform_overrides)
        VALUES (p_user, v_new.kind, v_new.preset, v_new.emoji, v_new.message, coalesce(v_new.limited_availability, false), v_new.expires_at,
                v_platforms, v_new.idempotency_key, v_new.request_fingerprint, v_new.request_id, v_new.source, v_new.template_id,
                v_new.template_name, v_new.platform_overrides)
        ON CONFLICT (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        RETURNING * INTO v_row;
        IF NOT FOUND THEN
          -- A concurrent request with the same key committed first (ON CONFLICT waited for it): answer as its replay.
          SELECT * INTO v_row FROM status_updates WHERE user_id = p_user AND idempotency_key = v_new.idempotency_key;
          RETURN jsonb_build_object('outcome', CASE WHEN FOUND THEN 'replay' ELSE 'in-progress' END, 'update', to_jsonb(v_row));
        END IF;
        INSERT INTO status_deliveries (update_id, platform, user_id) SELECT v_row.id, platform, p_user FROM unnest(v_platforms) AS platform;
        SELECT jsonb_build_object('subject', u.subject, 'teamIds', to_jsonb(ARRAY(SELECT m.team_id FROM team_members m WHERE m.user_id = u.id)))
          INTO v_audience FROM users u WHERE u.id = p_user;
        RETURN jsonb_build_object('outcome', 'accepted', 'update', to_jsonb(v_row), 'audience', v_audience);
      END $$`);
    const fn = 'statusync_accept_update(uuid, text, text, jsonb, text[], int)';
    await db.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
    await db.query(`GRANT EXECUTE ON FUNCTION ${fn} TO statusync_app`);
    await this.keysetSweep(db, schema);
  }

  /**
   * The outbox sweep pages through every stale pending delivery with a keyset (created_at, update_id, platform)
   * instead of re-reading the oldest 500: past 500 legitimately pending ones it still reaches newer lost ones.
   */
  private async keysetSweep(db: QueryRunner, schema: string): Promise<void> {
    await db.query(`DROP INDEX ix_status_deliveries_pending`);
    await db.query(`CREATE INDEX ix_status_deliveries_pending ON status_deliveries (created_at, update_id, platform) WHERE state = 'pending'`);
    await db.query(`
      CREATE FUNCTION statusync_pending_deliveries_after(p_older_than_ms double precision, p_after_created timestamptz,
                                                         p_after_update uuid, p_after_platform text, p_limit int)
      RETURNS TABLE (update_id uuid, platform text, user_id uuid, request_id text, created_at timestamptz)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = "${schema}", pg_temp AS $$
        SELECT d.update_id, d.platform, d.user_id, u.request_id, d.created_at
        FROM status_deliveries d JOIN status_updates u ON u.id = d.update_id
        WHERE d.state = 'pending' AND d.created_at < now() - make_interval(secs => p_older_than_ms / 1000)
          AND (p_after_created IS NULL OR (d.created_at, d.update_id, d.platform) > (p_after_created, p_after_update, p_after_platform))
        ORDER BY d.created_at, d.update_id, d.platform
        LIMIT p_limit
      $$`);
    const fn = 'statusync_pending_deliveries_after(double precision, timestamptz, uuid, text, int)';
    await db.query(`ALTER FUNCTION ${fn} OWNER TO statusync_system`);
    await db.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
    await db.query(`GRANT EXECUTE ON FUNCTION ${fn} TO statusync_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION IF EXISTS statusync_pending_deliveries_after(double precision, timestamptz, uuid, text, int)`);
    await db.query(`DROP INDEX ix_status_deliveries_pending`);
    await db.query(`CREATE INDEX ix_status_deliveries_pending ON status_deliveries (created_at) WHERE state = 'pending'`);
    await db.query(`DROP FUNCTION IF EXISTS statusync_accept_update(uuid, text, text, jsonb, text[], int)`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

const FUNCTION = 'statusync_begin_span_edge(uuid, uuid, text, bigint, timestamptz)';

/**
 * The start of a span edge's firing in ONE round trip (issue 10, the burst): before, the scheduler's transaction
 * spent nine statements before deciding anything (scope, the user's advisory lock, the span, the claim, the open
 * block, the live spans, the configured platforms, the span's edges, later the shown update, the user's own updates
 * and the webhook subject). This function does all of that in the transaction's first statement and answers
 * everything the decision reads as one jsonb; the caller's writes follow in the same transaction, so the claim still
 * commits (or rolls back) with them.
 *
 * SECURITY INVOKER and self-scoping like statusync_claim_delivery (migration 1764000015000): row-level security binds
 * every statement in it to the user it scopes itself to, and the scope is transaction-local.
 *
 * - `p_at_ms`: the edge's time when its job was made (epoch ms, truncated as JavaScript's Date truncates); a span
 *   moved since then answers `moved` and claims nothing.
 * - The claim records `fired_at` as the moment it was made (clock_timestamp(), after the lock), not the start of the
 *   transaction.
 */
export class SpanEdgeInOneStatement1764000016100 implements MigrationInterface {
  name = 'SpanEdgeInOneStatement1764000016100';

  async up(db: QueryRunner): Promise<void> {
    const [{ schema }] = (await db.query(`SELECT current_schema() AS schema`)) as { schema: string }[];
    await db.query(`
      CREATE FUNCTION statusync_begin_span_edge(p_user uuid, p_span uuid, p_edge text, p_at_ms bigint, p_now timestamptz)
      RETURNS jsonb LANGUAGE plpgsql VOLATILE SET search_path = "${schema}", pg_temp AS $$
      DECLARE
        v_span status_spans;
        v_at timestamptz;
        v_live_at timestamptz;
        v_open jsonb;
        v_first span_restores;
      BEGIN
        PERFORM set_config('statusync.user_id', p_user::text, true), set_config('statusync.org_id', '', true),
                set_config('statusync.role', 'member', true);
        PERFORM pg_advisory_xact_lock(hashtext('span-edges:' || p_user::text));
        SELECT * INTO v_span FROM status_spans WHERE id = p_span;
        IF NOT FOUND THEN RETURN jsonb_build_object('outcome', 'gone'); END IF;
        v_at := CASE WHEN p_edge = 'start' THEN v_span.starts_at ELSE v_span.ends_at END;
        IF v_at IS NULL OR floor(extract(epoch FROM v_at) * 1000)::bigint <> p_at_ms THEN
          RETURN jsonb_build_object('outcome', 'moved');
        END IF;
        INSERT INTO span_edges (span_id, edge, user_id, outcome, fired_at) VALUES (p_span, p_edge, v_span.user_id, 'claimed', clock_timestamp())
        ON CONFLICT (span_id, edge) DO NOTHING;
        IF NOT FOUND THEN RETURN jsonb_build_object('outcome', 'duplicate'); END IF;

        v_live_at := CASE WHEN p_edge = 'start' THEN p_now ELSE v_span.ends_at END;
        SELECT * INTO v_first FROM span_restores WHERE user_id = p_user AND ended_at IS NULL ORDER BY platform LIMIT 1;
        SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY r.platform), '[]') INTO v_open
        FROM span_restores r WHERE r.user_id = p_user AND r.ended_at IS NULL;
        RETURN jsonb_build_object(
          'outcome', 'claimed',
          'span', to_jsonb(v_span),
          'open', v_open,
          'live', CASE WHEN v_span.ends_at IS NULL AND p_edge = 'start' THEN '[]'::jsonb ELSE (
            SELECT coalesce(jsonb_agg(to_jsonb(s) ORDER BY s.starts_at), '[]') FROM (
              SELECT * FROM status_spans WHERE user_id = p_user AND ends_at IS NOT NULL AND ends_at > v_live_at AND cancelled_at IS NULL
              ORDER BY starts_at LIMIT 500
            ) s) END,
          'configured', (SELECT coalesce(jsonb_agg(c.platform ORDER BY c.platform), '[]') FROM platform_configs c WHERE c.user_id = p_user),
          'startOutcome', CASE WHEN p_edge = 'end' THEN (SELECT e.outcome FROM span_edges e WHERE e.span_id = p_span AND e.edge = 'start') END,
          'shown', CASE WHEN v_first.user_id IS NOT NULL THEN (
            SELECT jsonb_build_object('emoji', u.emoji, 'message', u.message, 'limited_availability', u.limited_availability, 'expires_at', u.expires_at)
            FROM status_updates u WHERE u.id = v_first.shown_update_id) END,
          'changedByUser', CASE WHEN v_first.user_id IS NOT NULL THEN (
            SELECT coalesce(jsonb_agg(DISTINCT p), '[]') FROM status_updates u, unnest(u.platforms) AS p
            WHERE u.user_id = p_user AND u.seq > v_first.opened_seq AND u.source NOT IN ('schedule', 'calendar')) ELSE '[]'::jsonb END,
          'subject', (SELECT u.subject FROM users u WHERE u.id = p_user)
        );
      END $$`);
    await db.query(`REVOKE ALL ON FUNCTION ${FUNCTION} FROM PUBLIC`);
    await db.query(`GRANT EXECUTE ON FUNCTION ${FUNCTION} TO statusync_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION IF EXISTS ${FUNCTION}`);
  }
}

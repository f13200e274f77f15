import { MigrationInterface, QueryRunner } from 'typeorm';

const SCOPE = `PERFORM set_config('statusync.user_id', p_user::text, true), set_config('statusync.org_id', '', true),
                set_config('statusync.role', 'member', true);`;

/**
 * The worker's claim and settle, each in ONE round trip (issue 10, docs/decisions.md "Worker leases"): before, a
 * leased job cost about fourteen (BEGIN, scope, claim, the update's row, COMMIT; the same five to settle plus the
 * receipt; four more for the live audience). Each function scopes itself to the user, like statusync_accept_update:
 * SECURITY INVOKER, so row-level security binds every statement in it, and the scope is transaction-local, so a
 * pooled connection (PgBouncer in transaction mode included) never carries it over.
 *
 * The claim's statement is the one of sync-leases (the newest pending delivery overtakes the older ones, the lease is
 * taken only for the job's own newest delivery); a leased claim also returns the update and the live audience. The
 * settle also records the webhook events of a final outcome (statusync_webhook_emit, migration 1764000013000), so
 * they commit with it.
 */
export class ClaimAndSettleInOneStatement1764000015000 implements MigrationInterface {
  name = 'ClaimAndSettleInOneStatement1764000015000';

  async up(db: QueryRunner): Promise<void> {
    const [{ schema }] = (await db.query(`SELECT current_schema() AS schema`)) as { schema: string }[];
    await db.query(`
      CREATE FUNCTION statusync_claim_delivery(p_user uuid, p_platform text, p_update uuid, p_lease_ms int)
      RETURNS jsonb LANGUAGE plpgsql VOLATILE SET search_path = "${schema}", pg_temp AS $$
      DECLARE
        v_claim jsonb;
      BEGIN
        ${SCOPE}
        WITH own AS (
          SELECT u.seq, d.state, d.attempts FROM status_deliveries d JOIN status_updates u ON u.id = d.update_id
          WHERE d.update_id = p_update AND d.platform = p_platform AND d.user_id = p_user
        ),
        newest AS (
          SELECT max(u.seq) AS seq FROM status_deliveries d JOIN status_updates u ON u.id = d.update_id
          WHERE d.user_id = p_user AND d.platform = p_platform AND d.state = 'pending'
        ),
        claim AS (
          UPDATE platform_configs c
          SET lease_token = c.lease_token + 1,
              lease_until = CASE WHEN own.seq >= newest.seq AND own.seq > coalesce(c.applied_seq, 0)
                                 THEN clock_timestamp() + p_lease_ms * interval '1 millisecond' END
          FROM own, newest
          WHERE c.user_id = p_user AND c.platform = p_platform AND own.state = 'pending'
            AND (c.lease_until IS NULL OR c.lease_until <= clock_timestamp())
          RETURNING c.*
        ),
        finished AS (
          UPDATE status_deliveries d
          SET state = CASE WHEN d.update_id = claim.applied_update_id THEN 'succeeded' ELSE 'superseded' END,
              attempts = d.attempts + 1, error_code = NULL, error_message = NULL, updated_at = now(), completed_at = clock_timestamp()
          FROM status_updates u, claim, newest
          WHERE u.id = d.update_id AND d.user_id = p_user AND d.platform = p_platform AND d.state = 'pending'
            AND (u.seq < newest.seq OR u.seq <= coalesce(claim.applied_seq, 0))
          RETURNING d.update_id, d.user_id, d.attempts, d.state, u.request_id
        ),
        logs AS (
          INSERT INTO sync_logs (update_id, platform, user_id, attempt, outcome, duration_ms, request_id)
          SELECT update_id, p_platform, user_id, attempts, state, 0, request_id FROM finished
        )
        SELECT jsonb_build_object(
                 'ownState', own.state, 'ownAttempts', own.attempts,
                 'configured', EXISTS (SELECT 1 FROM platform_configs WHERE user_id = p_user AND platform = p_platform),
                 'finished', (SELECT coalesce(jsonb_agg(jsonb_build_object('updateId', update_id, 'state', state)), '[]'::jsonb) FROM finished),
                 'token', claim.lease_token::text, 'leased', claim.lease_until IS NOT NULL,
                 'config', CASE WHEN claim.id IS NULL THEN NULL ELSE to_jsonb(claim) END)
          INTO v_claim
        FROM (SELECT 1) AS one LEFT JOIN own ON true LEFT JOIN claim ON true;
        IF v_claim->>'token' IS NULL THEN
          -- Not claimed: how long the lease that stopped us still runs. A statement of its own, so it sees the lease
          -- of a claimer that committed while this claim waited for the row (the claim's snapshot predates it).
          v_claim := v_claim || jsonb_build_object('busyForMs',
            (SELECT greatest(0, extract(epoch FROM lease_until - clock_timestamp()) * 1000)::bigint
             FROM platform_configs WHERE user_id = p_user AND platform = p_platform));
        ELSIF (v_claim->>'leased')::boolean THEN
          v_claim := v_claim || jsonb_build_object(
            'update', (SELECT to_jsonb(u) FROM status_updates u WHERE u.id = p_update),
            'audience', (SELECT jsonb_build_object('subject', u.subject, 'teamIds', to_jsonb(ARRAY(SELECT m.team_id FROM team_members m WHERE m.user_id = u.id)))
                         FROM users u WHERE u.id = p_user));
        END IF;
        RETURN v_claim;
      END $$`);
    await db.query(`
      CREATE FUNCTION statusync_settle_delivery(p_user uuid, p_platform text, p_update uuid, p_outcome text, p_seq bigint, p_token bigint,
                                                p_attempt int, p_error_code text, p_error_message text, p_retry_after_ms int,
                                                p_duration_ms int, p_request_id text, p_keep_lease boolean, p_receipt jsonb,
                                                p_webhook_events jsonb)
      RETURNS jsonb LANGUAGE plpgsql VOLATILE SET search_path = "${schema}", pg_temp AS $$
      DECLARE
        v_settled boolean;
        v_deliveries jsonb := '[]'::jsonb;
      BEGIN
        ${SCOPE}
        -- Nothing is written unless the token is still ours. The log's created_at is when the attempt started, so
        -- created_at + duration_ms is when it ended.
        WITH cfg AS (
          UPDATE platform_configs
          SET lease_until = CASE WHEN p_keep_lease THEN lease_until END,
              applied_update_id = CASE WHEN p_outcome = 'succeeded' THEN p_update ELSE applied_update_id END,
              applied_seq = CASE WHEN p_outcome = 'succeeded' THEN p_seq ELSE applied_seq END,
              applied_at = CASE WHEN p_outcome = 'succeeded' THEN now() ELSE applied_at END,
              seen_emoji = CASE WHEN p_receipt IS NULL THEN seen_emoji ELSE p_receipt->>'emoji' END,
              seen_message = CASE WHEN p_receipt IS NULL THEN seen_message ELSE p_receipt->>'message' END,
              seen_expires_at = CASE WHEN p_receipt IS NULL THEN seen_expires_at ELSE (p_receipt->>'expiresAt')::timestamptz END,
              seen_at = CASE WHEN p_receipt IS NULL THEN seen_at ELSE now() END,
              seen_via = CASE WHEN p_receipt IS NULL THEN seen_via ELSE 'receipt' END,
              updated_at = now()
          WHERE user_id = p_user AND platform = p_platform AND lease_token = p_token
          RETURNING id
        ),
        delivery AS (
          UPDATE status_deliveries
          SET state = CASE WHEN p_outcome = 'retrying' THEN 'pending' ELSE p_outcome END, attempts = p_attempt,
              error_code = p_error_code, error_message = p_error_message, updated_at = now(),
              completed_at = CASE WHEN p_outcome = 'retrying' THEN NULL ELSE clock_timestamp() END
          WHERE update_id = p_update AND platform = p_platform AND state = 'pending' AND EXISTS (SELECT 1 FROM cfg)
          RETURNING 1
        ),
        log AS (
          INSERT INTO sync_logs (update_id, platform, user_id, attempt, outcome, error_code, error_message, retry_after_ms, duration_ms, request_id, created_at)
          SELECT p_update, p_platform, p_user, p_attempt, p_outcome, p_error_code, p_error_message, p_retry_after_ms, p_duration_ms, p_request_id,
                 clock_timestamp() - make_interval(secs => p_duration_ms / 1000.0) FROM cfg
        )
        SELECT count(*) > 0 INTO v_settled FROM cfg;
        IF v_settled AND p_webhook_events IS NOT NULL THEN
          SELECT coalesce(jsonb_agg(jsonb_build_object('deliveryId', e.delivery_id, 'webhookId', e.webhook_id, 'ownerId', e.owner_id,
                                                       'orgId', e.org_id, 'replays', 0)), '[]'::jsonb)
            INTO v_deliveries
          FROM jsonb_to_recordset(p_webhook_events) AS ev(type text, key text, payload text),
               LATERAL statusync_webhook_emit(ev.type, ev.key, ev.payload) AS e;
        END IF;
        RETURN jsonb_build_object('settled', v_settled, 'webhookDeliveries', v_deliveries);
      END $$`);
    for (const fn of [
      'statusync_claim_delivery(uuid, text, uuid, int)',
      'statusync_settle_delivery(uuid, text, uuid, text, bigint, bigint, int, text, text, int, int, text, boolean, jsonb, jsonb)',
    ]) {
      await db.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await db.query(`GRANT EXECUTE ON FUNCTION ${fn} TO statusync_app`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION IF EXISTS statusync_settle_delivery(uuid, text, uuid, text, bigint, bigint, int, text, text, int, int, text, boolean, jsonb, jsonb)`);
    await db.query(`DROP FUNCTION IF EXISTS statusync_claim_delivery(uuid, text, uuid, int)`);
  }
}

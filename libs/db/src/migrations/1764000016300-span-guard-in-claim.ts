import { MigrationInterface, QueryRunner } from 'typeorm';

const GUARD = 'statusync_span_guard(uuid, text)';
const CAPTURE = 'statusync_capture_span_restore(uuid, text, text, text, timestamptz)';
const CAPTURES = 'statusync_capture_span_restores(jsonb)';

/**
 * The claim wrapper as migration 1764000016200 made it (character for character: the down must give back the same
 * function), plus `extra` for a leased claim.
 */
const claimWrapper = (schema: string, extra = '') => `
      CREATE OR REPLACE FUNCTION statusync_claim_delivery(p_user uuid, p_platform text, p_update uuid, p_lease_ms int)
      RETURNS jsonb LANGUAGE plpgsql VOLATILE SET search_path = "${schema}", pg_temp AS $$
      DECLARE
        v_claim jsonb := statusync_claim_delivery_core(p_user, p_platform, p_update, p_lease_ms);
      BEGIN
        IF (v_claim->>'leased')::boolean THEN
          v_claim := v_claim || jsonb_build_object('webhooks', statusync_webhook_listening());${extra}
        END IF;
        RETURN v_claim;
      END $$`;

/**
 * Restore's reads in the claim, its capture in one statement (issue 10's burst, docs/decisions.md §45). A
 * schedule's or calendar's update cost the worker two transactions of its own around the platform read (BEGIN,
 * scope, the block's rows, the update it showed, COMMIT; then BEGIN, scope, the capture, COMMIT): eight round trips
 * and two pooled connections per delivery, against the claim's and settle's one batched statement each. In the
 * 5,000-meeting burst that made a delivery cost about four times a manual one.
 *
 * - A leased claim of a span's update now also answers `spanGuard` (statusync_span_guard): whether this push is the
 *   block's first on the platform (`capture`: read what the platform shows and keep it first), or, for a restore,
 *   the status the block showed (`ours`: put the old one back only if the platform still shows that). It runs in the
 *   claim's statement, under the user scope the claim set, so row-level security binds it as before.
 * - The capture is statusync_capture_span_restore: one statement that scopes itself (SECURITY INVOKER, the scope
 *   transaction-local, as the claim). It still commits BEFORE the push, so a crash between the two never leaves our
 *   own status to be "restored" later. statusync_capture_span_restores takes the captures of many jobs at once (the
 *   worker batches them like its claims), each element scoped to its own user, in (user, platform) order so two
 *   batches lock rows in the same order.
 */
export class SpanGuardInClaim1764000016300 implements MigrationInterface {
  name = 'SpanGuardInClaim1764000016300';

  async up(db: QueryRunner): Promise<void> {
    const [{ schema }] = (await db.query(`SELECT current_schema() AS schema`)) as { schema: string }[];
    await db.query(`
      CREATE FUNCTION statusync_span_guard(p_update uuid, p_platform text) RETURNS jsonb
      LANGUAGE sql STABLE SET search_path = "${schema}", pg_temp AS $$
        SELECT CASE
          WHEN EXISTS (
            SELECT 1 FROM span_restores r
            WHERE (r.set_update_id = p_update OR r.shown_update_id = p_update) AND r.platform = p_platform
              AND r.captured_at IS NULL AND r.ended_at IS NULL)
          THEN jsonb_build_object('capture', true, 'ours', NULL)
          ELSE jsonb_build_object('capture', false, 'ours', (
            SELECT jsonb_build_object('emoji', u.emoji, 'message', u.message, 'platformOverrides', u.platform_overrides)
            FROM span_restores r JOIN status_updates u ON u.id = r.shown_update_id
            WHERE r.restore_update_id = p_update AND r.platform = p_platform
            LIMIT 1))
        END
      $$`);
    await db.query(`
      CREATE FUNCTION statusync_capture_span_restore(p_user uuid, p_platform text, p_emoji text, p_message text, p_expires_at timestamptz)
      RETURNS void LANGUAGE plpgsql VOLATILE SET search_path = "${schema}", pg_temp AS $$
      BEGIN
        PERFORM set_config('statusync.user_id', p_user::text, true), set_config('statusync.org_id', '', true),
                set_config('statusync.role', 'member', true);
        UPDATE span_restores SET captured_at = now(), prev_emoji = p_emoji, prev_message = p_message, prev_expires_at = p_expires_at
        WHERE user_id = p_user AND platform = p_platform;
      END $$`);
    await db.query(`
      CREATE FUNCTION statusync_capture_span_restores(p_captures jsonb)
      RETURNS void LANGUAGE plpgsql VOLATILE SET search_path = "${schema}", pg_temp AS $$
      DECLARE
        r record;
      BEGIN
        FOR r IN
          SELECT (e->>'userId')::uuid AS user_id, e->>'platform' AS platform, e->>'emoji' AS emoji, e->>'message' AS message,
                 (e->>'expiresAt')::timestamptz AS expires_at
          FROM jsonb_array_elements(p_captures) AS e
          ORDER BY 1, 2
        LOOP
          PERFORM statusync_capture_span_restore(r.user_id, r.platform, r.emoji, r.message, r.expires_at);
        END LOOP;
      END $$`);
    const spanGuard = `
          IF v_claim->'update'->>'source' IN ('schedule', 'calendar') THEN
            v_claim := v_claim || jsonb_build_object('spanGuard', statusync_span_guard(p_update, p_platform));
          END IF;`;
    await db.query(claimWrapper(schema, spanGuard));
    // CREATE OR REPLACE kept the claim's own grants.
    for (const fn of [GUARD, CAPTURE, CAPTURES]) {
      await db.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await db.query(`GRANT EXECUTE ON FUNCTION ${fn} TO statusync_app`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    const [{ schema }] = (await db.query(`SELECT current_schema() AS schema`)) as { schema: string }[];
    await db.query(claimWrapper(schema));
    await db.query(`DROP FUNCTION IF EXISTS ${CAPTURES}`);
    await db.query(`DROP FUNCTION IF EXISTS ${CAPTURE}`);
    await db.query(`DROP FUNCTION IF EXISTS ${GUARD}`);
  }
}

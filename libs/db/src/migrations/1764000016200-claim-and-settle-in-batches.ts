import { MigrationInterface, QueryRunner } from 'typeorm';

const CLAIMS = 'statusync_claim_deliveries(jsonb)';
const SETTLES = 'statusync_settle_deliveries(jsonb)';
const LISTENING = 'statusync_webhook_listening()';
const CLAIM = 'statusync_claim_delivery(uuid, text, uuid, int)';

/**
 * The worker's claims (and settles) of many jobs in ONE statement (issue 10, docs/decisions.md §39): a worker with
 * hundreds of jobs in flight sent one statement, one transaction and one commit per claim and per settle, and
 * that per-statement cost was most of Postgres' CPU per job. Each function takes a jsonb array of the single
 * function's arguments (statusync_claim_delivery / statusync_settle_delivery, migration 1764000015000), calls it for
 * every element, and answers one row per element with its index (`i`, from 1) and the single function's answer, so
 * semantics are the single one's exactly: an element sees the elements before it (two claims of one user's platform
 * in a batch: the second finds the lease held).
 *
 * Elements run in (user, platform) order whatever order they come in, so two batches lock config rows in the same
 * order and cannot deadlock each other. Each element scopes itself to its user (the single function sets the
 * transaction-local scope first), so row-level security binds every element to its own user. An error in one
 * element fails the whole statement; the caller then runs the elements one by one (libs/db StatementBatcher).
 *
 * A leased claim also says whether any active webhook endpoint listens to the user's events (`webhooks`), so the
 * worker builds and records webhook events only for users who have one: statusync_claim_delivery becomes a wrapper
 * around the shipped one (renamed statusync_claim_delivery_core, unchanged). statusync_webhook_listening takes the
 * user from the transaction's scope, like statusync_webhook_emit (migration 1764000013000), and matches the same
 * endpoints it records for.
 */
export class ClaimAndSettleInBatches1764000016200 implements MigrationInterface {
  name = 'ClaimAndSettleInBatches1764000016200';

  async up(db: QueryRunner): Promise<void> {
    const [{ schema }] = (await db.query(`SELECT current_schema() AS schema`)) as { schema: string }[];
    await db.query(`
      CREATE FUNCTION statusync_claim_deliveries(p_claims jsonb)
      RETURNS TABLE (i int, claim jsonb) LANGUAGE plpgsql VOLATILE SET search_path = "${schema}", pg_temp AS $$
      DECLARE
        r record;
      BEGIN
        FOR r IN
          SELECT e.ord::int AS ord, (e.value->>'userId')::uuid AS user_id, e.value->>'platform' AS platform,
                 (e.value->>'updateId')::uuid AS update_id, (e.value->>'leaseMs')::int AS lease_ms
          FROM jsonb_array_elements(p_claims) WITH ORDINALITY AS e(value, ord)
          ORDER BY 2, 3, 1
        LOOP
          i := r.ord;
          claim := statusync_claim_delivery(r.user_id, r.platform, r.update_id, r.lease_ms);
          RETURN NEXT;
        END LOOP;
      END $$`);
    await db.query(`
      CREATE FUNCTION statusync_settle_deliveries(p_settles jsonb)
      RETURNS TABLE (i int, settled jsonb) LANGUAGE plpgsql VOLATILE SET search_path = "${schema}", pg_temp AS $$
      DECLARE
        r record;
      BEGIN
        FOR r IN
          SELECT e.ord::int AS ord, (e.value->>'userId')::uuid AS user_id, e.value->>'platform' AS platform, e.value AS s
          FROM jsonb_array_elements(p_settles) WITH ORDINALITY AS e(value, ord)
          ORDER BY 2, 3, 1
        LOOP
          i := r.ord;
          settled := statusync_settle_delivery(
            r.user_id, r.platform, (r.s->>'updateId')::uuid, r.s->>'outcome', (r.s->>'seq')::bigint, (r.s->>'token')::bigint,
            (r.s->>'attempt')::int, r.s->>'errorCode', r.s->>'errorMessage', (r.s->>'retryAfterMs')::int,
            (r.s->>'durationMs')::int, r.s->>'requestId', (r.s->>'keepLease')::boolean,
            CASE WHEN jsonb_typeof(r.s->'receipt') = 'object' THEN r.s->'receipt' END,
            CASE WHEN jsonb_typeof(r.s->'webhookEvents') = 'array' THEN r.s->'webhookEvents' END);
          RETURN NEXT;
        END LOOP;
      END $$`);
    await db.query(`
      CREATE FUNCTION statusync_webhook_listening() RETURNS boolean
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = "${schema}", pg_temp AS $$
        SELECT EXISTS (
          SELECT 1 FROM webhooks w JOIN users me ON me.id = statusync_current_user_id()
          WHERE w.state = 'active'
            AND ((w.scope = 'personal' AND w.user_id = me.id)
              OR (w.scope = 'org' AND w.org_id = me.org_id AND EXISTS (SELECT 1 FROM users c WHERE c.id = w.user_id AND c.org_id = w.org_id))))
      $$`);
    await db.query(`ALTER FUNCTION ${LISTENING} OWNER TO statusync_system`);
    await db.query(`ALTER FUNCTION ${CLAIM} RENAME TO statusync_claim_delivery_core`);
    await db.query(`
      CREATE FUNCTION statusync_claim_delivery(p_user uuid, p_platform text, p_update uuid, p_lease_ms int)
      RETURNS jsonb LANGUAGE plpgsql VOLATILE SET search_path = "${schema}", pg_temp AS $$
      DECLARE
        v_claim jsonb := statusync_claim_delivery_core(p_user, p_platform, p_update, p_lease_ms);
      BEGIN
        IF (v_claim->>'leased')::boolean THEN
          v_claim := v_claim || jsonb_build_object('webhooks', statusync_webhook_listening());
        END IF;
        RETURN v_claim;
      END $$`);
    for (const fn of [CLAIMS, SETTLES, LISTENING, CLAIM]) {
      await db.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await db.query(`GRANT EXECUTE ON FUNCTION ${fn} TO statusync_app`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION IF EXISTS ${SETTLES}`);
    await db.query(`DROP FUNCTION IF EXISTS ${CLAIMS}`);
    await db.query(`DROP FUNCTION IF EXISTS ${CLAIM}`);
    await db.query(`ALTER FUNCTION statusync_claim_delivery_core(uuid, text, uuid, int) RENAME TO statusync_claim_delivery`);
    await db.query(`DROP FUNCTION IF EXISTS ${LISTENING}`);
  }
}

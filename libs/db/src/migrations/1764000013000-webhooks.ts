import { MigrationInterface, QueryRunner } from 'typeorm';

const FUNCTIONS = ['statusync_webhook_emit(text, text, text)', 'statusync_webhook_due(int, int)', 'statusync_purge_webhook_deliveries(int, int)'];

/**
 * Outgoing webhooks (issue 11, docs/decisions.md §32).
 * - `webhooks`: one endpoint, personal (its owner's events) or org-wide (every member's events, managed by the org's
 *   admins). The signing secret is sealed with TokenCipher and bound to the row; during a rotation the previous one
 *   is kept (sealed too) until `previous_secret_expires_at`.
 * - `webhook_deliveries`: one row per event × endpoint with its attempts as jsonb (a delivery has at most a dozen),
 *   final in `succeeded`, `failed` (retries spent) or `disabled` (the endpoint was disabled first).
 * - Row-level security: a personal endpoint is its owner's; an org endpoint belongs to the admins of its org (the
 *   caller's own `users` row must be in that org, so a forged org claim alone sees nothing). Deliveries follow their
 *   endpoint. Recording an event for every subscribed endpoint, org ones included, goes through
 *   `statusync_webhook_emit`, which takes the user from the transaction's scope, never from a parameter.
 */
export class Webhooks1764000013000 implements MigrationInterface {
  name = 'Webhooks1764000013000';

  async up(db: QueryRunner): Promise<void> {
    const [{ schema }] = (await db.query(`SELECT current_schema() AS schema`)) as { schema: string }[];
    await db.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        scope text NOT NULL CHECK (scope IN ('personal', 'org')),
        org_id text,
        url text NOT NULL CHECK (length(url) <= 2048),
        events text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 20),
        description text CHECK (length(description) <= 500),
        secret_ciphertext bytea NOT NULL,
        secret_key_id text NOT NULL,
        previous_secret_ciphertext bytea,
        previous_secret_key_id text,
        previous_secret_expires_at timestamptz,
        state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
        disabled_reason text,
        disabled_at timestamptz,
        failing_since timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((scope = 'org') = (org_id IS NOT NULL)),
        CHECK ((previous_secret_ciphertext IS NULL) = (previous_secret_expires_at IS NULL))
      )`);
    await db.query(`CREATE INDEX ix_webhooks_personal ON webhooks (user_id, created_at) WHERE scope = 'personal'`);
    await db.query(`CREATE INDEX ix_webhooks_org ON webhooks (org_id, created_at) WHERE scope = 'org'`);
    await db.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        webhook_id uuid NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        event_type text NOT NULL,
        event_key text NOT NULL,
        payload text NOT NULL CHECK (octet_length(payload) < 20480),
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'succeeded', 'failed', 'disabled')),
        attempts jsonb NOT NULL DEFAULT '[]'::jsonb,
        next_attempt_at timestamptz,
        replays integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CONSTRAINT uq_webhook_deliveries_event UNIQUE (webhook_id, event_key)
      )`);
    await db.query(`CREATE INDEX ix_webhook_deliveries_page ON webhook_deliveries (webhook_id, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending'`);
    await db.query(`CREATE INDEX ix_webhook_deliveries_created ON webhook_deliveries (created_at)`);

    const orgAdmin = `scope = 'org' AND statusync_current_role() = 'admin' AND org_id = statusync_current_org_id()
      AND org_id = (SELECT u.org_id FROM users u WHERE u.id = statusync_current_user_id())`;
    const visible = `(scope = 'personal' AND user_id = statusync_current_user_id()) OR (${orgAdmin})`;
    for (const table of ['webhooks', 'webhook_deliveries']) {
      await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO statusync_app, statusync_system`);
      await db.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await db.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await db.query(`CREATE POLICY ${table}_system ON ${table} TO statusync_system USING (true) WITH CHECK (true)`);
    }
    await db.query(`CREATE POLICY webhooks_owner ON webhooks FOR ALL TO statusync_app USING (${visible}) WITH CHECK (${visible})`);
    // A delivery is visible with its endpoint (the subquery runs under the endpoints' own policy).
    const ofVisibleEndpoint = `EXISTS (SELECT 1 FROM webhooks w WHERE w.id = webhook_id)`;
    await db.query(`CREATE POLICY webhook_deliveries_owner ON webhook_deliveries FOR ALL TO statusync_app USING (${ofVisibleEndpoint}) WITH CHECK (${ofVisibleEndpoint})`);

    const definer = `SECURITY DEFINER SET search_path = "${schema}", pg_temp`;
    // One delivery per active endpoint subscribed to the event: the scoped user's personal ones and their org's
    // (while the org endpoint's creator is still in that org). A repeated event key records nothing new.
    await db.query(`
      CREATE FUNCTION statusync_webhook_emit(p_type text, p_key text, p_payload text)
      RETURNS TABLE (delivery_id uuid, webhook_id uuid, owner_id uuid, org_id text)
      LANGUAGE sql VOLATILE ${definer} AS $$
        WITH targets AS (
          SELECT w.id, w.user_id, w.org_id FROM webhooks w JOIN users me ON me.id = statusync_current_user_id()
          WHERE w.state = 'active' AND p_type = ANY (w.events)
            AND ((w.scope = 'personal' AND w.user_id = me.id)
              OR (w.scope = 'org' AND w.org_id = me.org_id AND EXISTS (SELECT 1 FROM users c WHERE c.id = w.user_id AND c.org_id = w.org_id)))
        ), recorded AS (
          INSERT INTO webhook_deliveries (webhook_id, event_type, event_key, payload, next_attempt_at)
          SELECT t.id, p_type, p_key, p_payload, now() FROM targets t
          ON CONFLICT ON CONSTRAINT uq_webhook_deliveries_event DO NOTHING
          RETURNING id, webhook_deliveries.webhook_id
        )
        SELECT r.id, t.id, t.user_id, t.org_id FROM recorded r JOIN targets t ON t.id = r.webhook_id
      $$`);
    // Pending deliveries whose attempt is overdue (their job was lost with Redis): ids only, for the re-enqueue sweep.
    await db.query(`
      CREATE FUNCTION statusync_webhook_due(p_overdue_ms int, p_limit int)
      RETURNS TABLE (delivery_id uuid, webhook_id uuid, owner_id uuid, org_id text, replays int)
      LANGUAGE sql STABLE ${definer} AS $$
        SELECT d.id, w.id, w.user_id, w.org_id, d.replays FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
        WHERE d.state = 'pending' AND d.next_attempt_at < now() - make_interval(secs => p_overdue_ms / 1000.0)
        ORDER BY d.next_attempt_at LIMIT least(p_limit, 1000)
      $$`);
    await db.query(`
      CREATE FUNCTION statusync_purge_webhook_deliveries(p_retention_days int, p_batch int) RETURNS int
      LANGUAGE plpgsql VOLATILE ${definer} AS $$
      DECLARE deleted int;
      BEGIN
        IF p_retention_days IS NULL OR p_retention_days < 1 OR p_batch IS NULL OR p_batch NOT BETWEEN 1 AND 10000 THEN
          RAISE EXCEPTION 'retention must be at least one day and a batch 1-10000 rows' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        DELETE FROM webhook_deliveries WHERE id IN (
          SELECT id FROM webhook_deliveries
          WHERE created_at < now() - make_interval(days => p_retention_days) AND state <> 'pending'
          ORDER BY created_at LIMIT p_batch FOR UPDATE SKIP LOCKED);
        GET DIAGNOSTICS deleted = ROW_COUNT;
        RETURN deleted;
      END $$`);
    for (const fn of FUNCTIONS) {
      await db.query(`ALTER FUNCTION ${fn} OWNER TO statusync_system`);
      await db.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await db.query(`GRANT EXECUTE ON FUNCTION ${fn} TO statusync_app`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const fn of FUNCTIONS) await db.query(`DROP FUNCTION IF EXISTS ${fn}`);
    await db.query(`DROP TABLE IF EXISTS webhook_deliveries`);
    await db.query(`DROP TABLE IF EXISTS webhooks`);
  }
}

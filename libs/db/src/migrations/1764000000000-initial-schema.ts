import { MigrationInterface, QueryRunner } from 'typeorm';

/** The foundation tables. Names are unqualified: the connection's search_path picks the schema. */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject text NOT NULL UNIQUE CHECK (length(subject) BETWEEN 1 AND 255),
        org_id text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE platform_configs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        platform text NOT NULL,
        account_id text NOT NULL,
        account_name text NOT NULL,
        token_ciphertext bytea NOT NULL,
        token_key_id text NOT NULL,
        state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'reauth_required')),
        reauth_reason text,
        applied_update_id uuid,
        applied_seq bigint,
        applied_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_platform_configs_user_platform UNIQUE (user_id, platform)
      )`);
    await db.query(`
      CREATE TABLE status_updates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('set', 'clear')),
        preset text,
        emoji text,
        message text,
        limited_availability boolean NOT NULL DEFAULT false,
        expires_at timestamptz,
        platforms text[] NOT NULL CHECK (cardinality(platforms) > 0),
        idempotency_key text,
        request_fingerprint text,
        request_id text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // History and "current" read a user's updates newest first.
    await db.query(`CREATE INDEX ix_status_updates_user_seq ON status_updates (user_id, seq DESC)`);
    await db.query(
      `CREATE UNIQUE INDEX uq_status_updates_idempotency ON status_updates (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
    await db.query(`
      CREATE TABLE status_deliveries (
        update_id uuid NOT NULL REFERENCES status_updates(id) ON DELETE CASCADE,
        platform text NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'succeeded', 'failed', 'superseded')),
        attempts int NOT NULL DEFAULT 0,
        error_code text,
        error_message text,
        completed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (update_id, platform)
      )`);
    // The outbox sweeper looks for deliveries still pending after a while.
    await db.query(`CREATE INDEX ix_status_deliveries_pending ON status_deliveries (created_at) WHERE state = 'pending'`);
    await db.query(`
      CREATE TABLE sync_logs (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        update_id uuid NOT NULL REFERENCES status_updates(id) ON DELETE CASCADE,
        platform text NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        attempt int NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('succeeded', 'retrying', 'failed', 'superseded')),
        error_code text,
        error_message text,
        retry_after_ms int,
        duration_ms int NOT NULL,
        request_id text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX ix_sync_logs_update ON sync_logs (update_id, platform, id)`);
    await db.query(`
      CREATE TABLE status_templates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid REFERENCES users(id) ON DELETE CASCADE,
        org_id text,
        name text NOT NULL,
        emoji text,
        message text,
        limited_availability boolean NOT NULL DEFAULT false,
        duration_minutes int CHECK (duration_minutes > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (user_id IS NOT NULL OR org_id IS NOT NULL)
      )`);
    await db.query(`CREATE UNIQUE INDEX uq_status_templates_user_name ON status_templates (user_id, name) WHERE user_id IS NOT NULL`);
    await db.query(
      `CREATE UNIQUE INDEX uq_status_templates_org_name ON status_templates (org_id, name) WHERE user_id IS NULL AND org_id IS NOT NULL`,
    );
    await db.query(`
      CREATE TABLE scheduled_statuses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        template_id uuid REFERENCES status_templates(id) ON DELETE SET NULL,
        emoji text,
        message text,
        limited_availability boolean NOT NULL DEFAULT false,
        platforms text[],
        starts_at timestamptz NOT NULL,
        ends_at timestamptz CHECK (ends_at IS NULL OR ends_at > starts_at),
        state text NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'active', 'done', 'cancelled')),
        start_update_id uuid REFERENCES status_updates(id) ON DELETE SET NULL,
        end_update_id uuid REFERENCES status_updates(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX ix_scheduled_statuses_due ON scheduled_statuses (starts_at) WHERE state = 'scheduled'`);
    await db.query(`CREATE INDEX ix_scheduled_statuses_user ON scheduled_statuses (user_id, starts_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['scheduled_statuses', 'status_templates', 'sync_logs', 'status_deliveries', 'status_updates', 'platform_configs', 'users']) {
      await db.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}

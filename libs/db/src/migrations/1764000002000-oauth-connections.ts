import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Platforms connected with OAuth (docs/decisions.md, "OAuth connect"). A rotating provider (Slack with token rotation)
 * issues a refresh token beside the access token: it is stored encrypted like the token, under its own key id so
 * the two can be re-sealed independently, and the access token's expiry tells the worker when to refresh.
 */
export class OAuthConnections1764000002000 implements MigrationInterface {
  name = 'OAuthConnections1764000002000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE platform_configs
        ADD COLUMN refresh_token_ciphertext bytea,
        ADD COLUMN refresh_token_key_id text,
        ADD COLUMN token_expires_at timestamptz,
        ADD COLUMN connected_via text NOT NULL DEFAULT 'token',
        ADD CONSTRAINT ck_platform_configs_connected_via CHECK (connected_via IN ('token', 'oauth')),
        ADD CONSTRAINT ck_platform_configs_refresh_token_sealed CHECK ((refresh_token_ciphertext IS NULL) = (refresh_token_key_id IS NULL))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE platform_configs
        DROP CONSTRAINT IF EXISTS ck_platform_configs_refresh_token_sealed,
        DROP CONSTRAINT IF EXISTS ck_platform_configs_connected_via,
        DROP COLUMN IF EXISTS connected_via,
        DROP COLUMN IF EXISTS token_expires_at,
        DROP COLUMN IF EXISTS refresh_token_key_id,
        DROP COLUMN IF EXISTS refresh_token_ciphertext`);
  }
}

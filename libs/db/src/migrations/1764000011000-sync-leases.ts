import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Worker leases (issue 10, docs/decisions.md "Worker leases"): the (user, platform) config row carries a lease and
 * a fencing token instead of a row lock held through the platform call. `lease_until` says until when the holder may
 * still be talking to the platform; `lease_token` grows on every claim, and a settle must name the token it got.
 * The partial index lets a claim find a user's pending deliveries for one platform without scanning their history.
 */
export class SyncLeases1764000011000 implements MigrationInterface {
  name = 'SyncLeases1764000011000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE platform_configs ADD COLUMN lease_until timestamptz, ADD COLUMN lease_token bigint NOT NULL DEFAULT 0`);
    await db.query(`CREATE INDEX ix_status_deliveries_user_platform_pending ON status_deliveries (user_id, platform) WHERE state = 'pending'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS ix_status_deliveries_user_platform_pending`);
    await db.query(`ALTER TABLE platform_configs DROP COLUMN IF EXISTS lease_until, DROP COLUMN IF EXISTS lease_token`);
  }
}

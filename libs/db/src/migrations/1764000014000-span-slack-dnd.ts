import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Slack Do Not Disturb for focus time (docs/decisions.md §31): a span says whether its start snoozes Slack
 * notifications and its end ends the snooze. Decided by the span's source (a focus-time span of a calendar whose
 * rules have `focusDnd`), stored with the span so the scheduler decides from the span alone.
 */
export class SpanSlackDnd1764000014000 implements MigrationInterface {
  name = 'SpanSlackDnd1764000014000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE status_spans ADD COLUMN slack_dnd boolean NOT NULL DEFAULT false`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE status_spans DROP COLUMN IF EXISTS slack_dnd`);
  }
}

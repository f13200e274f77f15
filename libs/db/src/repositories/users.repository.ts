import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Users are created on first sight of their JWT subject. */
@Injectable()
export class UsersRepository {
  constructor(private readonly db: DataSource) {}

  /** Returns the user id for a subject, creating the user if needed (one round trip, race-free). */
  async idForSubject(subject: string, orgId: string | null): Promise<string> {
    const rows: { id: string }[] = await this.db.query(
      `INSERT INTO users (subject, org_id) VALUES ($1, $2)
       ON CONFLICT (subject) DO UPDATE SET org_id = EXCLUDED.org_id
       WHERE users.org_id IS DISTINCT FROM EXCLUDED.org_id
       RETURNING id`,
      [subject, orgId],
    );
    if (rows.length > 0) return rows[0].id;
    // Nothing changed, so RETURNING was empty: the user exists as is.
    const existing: { id: string }[] = await this.db.query(`SELECT id FROM users WHERE subject = $1`, [subject]);
    return existing[0].id;
  }
}

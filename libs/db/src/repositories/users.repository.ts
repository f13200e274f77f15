import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { UserEntity } from '../entities/user.entity';

/** What a person may change about themselves. */
export interface UserSettings {
  timeZone?: string;
  workingHours?: Record<string, unknown> | null;
}

/** Users are created on first sight of their JWT subject. */
@Injectable()
export class UsersRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * The user id for a subject, creating the user if needed. The caller does not know its user id yet, so
   * this goes through the one narrow SECURITY DEFINER function that may look across users.
   */
  async idForSubject(subject: string, orgId: string | null): Promise<string> {
    const [row] = (await this.db.query(`SELECT statusync_user_id_for_subject($1, $2) AS id`, [subject, orgId])) as { id: string }[];
    return row.id;
  }

  /** The caller's own row (row-level security shows no other). */
  findById(db: EntityManager, id: string): Promise<UserEntity | null> {
    return db.getRepository(UserEntity).findOneBy({ id });
  }

  async updateSettings(db: EntityManager, id: string, settings: UserSettings): Promise<UserEntity | null> {
    // COALESCE keeps what was not given; working hours are JSON, so "clear" (null) is told apart from "not given".
    await db.query(
      `UPDATE users SET time_zone = COALESCE($2, time_zone), working_hours = CASE WHEN $3 THEN $4::jsonb ELSE working_hours END WHERE id = $1`,
      [id, settings.timeZone ?? null, settings.workingHours !== undefined, settings.workingHours ? JSON.stringify(settings.workingHours) : null],
    );
    return this.findById(db, id);
  }
}

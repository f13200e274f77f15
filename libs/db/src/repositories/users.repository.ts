import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

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
}

import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs work in a transaction that row-level security ties to one user: every query inside sees and changes
 * only that user's rows, even one that forgets its `WHERE user_id = …`. Outside a scope the services'
 * role sees nothing at all. The setting is transaction-local, so a pooled connection never carries it over.
 */
@Injectable()
export class UserScope {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(userId: string, work: (db: EntityManager) => Promise<T>, orgId: string | null = null): Promise<T> {
    return this.dataSource.transaction(async (db) => {
      await db.query(`SELECT set_config('statusync.user_id', $1, true), set_config('statusync.org_id', $2, true)`, [userId, orgId ?? '']);
      return work(db);
    });
  }
}

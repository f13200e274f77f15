import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/** The caller's organisation and their role in it, from the JWT (`org_id`, `role`). */
export interface OrgMembership {
  orgId: string | null;
  role: 'member' | 'admin';
}

const NO_ORG: OrgMembership = { orgId: null, role: 'member' };

/** Runs one statement and answers its rows; an EntityManager is one too (the middle-tier tests pass theirs). */
export interface OneStatement {
  query(sql: string, parameters?: unknown[]): Promise<any>;
}

/**
 * Runs work in a transaction that row-level security ties to one user: every query inside sees and changes
 * only that user's rows (and, where a policy allows, their org's), even one that forgets its `WHERE user_id = …`.
 * Outside a scope the services' role sees nothing at all. The settings are transaction-local, so a pooled
 * connection never carries them over.
 */
@Injectable()
export class UserScope {
  /** Straight on the pool: a TypeORM query runner around a single statement cost the hot paths a few % of their CPU. */
  private readonly onPool: OneStatement = {
    query: async (sql, parameters) => (await (this.dataSource.driver as PostgresDriver).master.query(sql, parameters)).rows,
  };

  constructor(private readonly dataSource: DataSource) {}

  run<T>(userId: string, work: (db: EntityManager) => Promise<T>, org: OrgMembership = NO_ORG): Promise<T> {
    return this.dataSource.transaction(async (db) => {
      await db.query(
        `SELECT set_config('statusync.user_id', $1, true), set_config('statusync.org_id', $2, true), set_config('statusync.role', $3, true)`,
        [userId, org.orgId ?? '', org.role],
      );
      return work(db);
    });
  }

  /**
   * A transaction whose FIRST statement scopes itself (a SQL function taking the user, such as
   * statusync_begin_span_edge): the scope's own round trip is saved, and every later statement of the transaction
   * runs under the scope that function set (it is transaction-local). `work` must send that statement first.
   */
  runSelfScoped<T>(work: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * Runs work that is one statement scoping itself (a SQL function taking the user, such as
   * statusync_accept_update): no BEGIN/COMMIT around it, so it costs one round trip. The statement's own implicit
   * transaction bounds the transaction-local scope it sets.
   */
  selfScoped<T>(work: (db: OneStatement) => Promise<T>): Promise<T> {
    return work(this.onPool);
  }
}

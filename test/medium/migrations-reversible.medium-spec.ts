import { dataSourceOptions, MIGRATIONS, runMigrations } from '@statusync/db';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { E2E } from '../support/test-env';

/**
 * Middle tier, on a schema of this file's own: every migration's `down` undoes exactly what its `up` made. An
 * operator who reverts a release runs the `down`s; one that fails half-way, or leaves a table, column, constraint,
 * function, policy, index or grant behind, would block the re-deploy. Migrating an up-to-date schema changes nothing.
 */
describe('migrations: each down undoes its up', () => {
  const schema = `migrations_${Date.now().toString(36)}${process.pid.toString(36)}`;
  const settings = { url: E2E.databaseUrl, schema, poolSize: 2 };
  const admin = new Pool({ connectionString: E2E.databaseUrl, max: 1 });

  /**
   * What the migrations made in the schema, as sorted text (a column re-added by `up` may move position). TypeORM's
   * own `migrations` table is left out: the first `up` makes it and no `down` removes it.
   */
  async function catalog() {
    const list = async (sql: string) => (await admin.query(sql, [schema])).rows.map((row) => Object.values(row).join(' ')).sort();
    return {
      columns: await list(
        `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
          WHERE table_schema = $1 AND table_name <> 'migrations'`,
      ),
      constraints: await list(
        `SELECT r.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
           JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = c.connamespace
          WHERE n.nspname = $1 AND r.relname <> 'migrations'`,
      ),
      indexes: await list(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename <> 'migrations'`),
      functions: await list(
        `SELECT p.proname, pg_get_function_identity_arguments(p.oid), md5(p.prosrc), l.lanname, p.provolatile, p.prosecdef,
                p.proconfig::text, p.proowner::regrole::text, coalesce(p.proacl::text, '')
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang WHERE n.nspname = $1`,
      ),
      policies: await list(`SELECT tablename, policyname, cmd, roles::text, qual, with_check FROM pg_policies WHERE schemaname = $1`),
      rowSecurity: await list(
        `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname <> 'migrations'`,
      ),
      // Privileges granted to others than the owner (an owner's own entry appears once any grant was revoked).
      schemaAccess: await list(
        `SELECT coalesce(string_agg(a.grantee::regrole::text || ' ' || a.privilege_type, ', ' ORDER BY 1), '')
           FROM pg_namespace n LEFT JOIN LATERAL aclexplode(n.nspacl) a ON a.grantee <> n.nspowner WHERE n.nspname = $1`,
      ),
      sequenceAccess: await list(
        `SELECT c.relname, coalesce(string_agg(a.grantee::regrole::text || ' ' || a.privilege_type, ', ' ORDER BY 1), '')
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN LATERAL aclexplode(c.relacl) a ON a.grantee <> c.relowner
          WHERE n.nspname = $1 AND c.relkind = 'S' AND c.relname <> 'migrations_id_seq' GROUP BY c.relname`,
      ),
      grants: await list(
        `SELECT table_name, grantee, privilege_type FROM information_schema.role_table_grants
          WHERE table_schema = $1 AND table_name <> 'migrations'`,
      ),
    };
  }

  /** Runs `step` on a DataSource that knows only the first `count` migrations. */
  async function withMigrations<T>(count: number, step: (dataSource: DataSource) => Promise<T>): Promise<T> {
    const dataSource = new DataSource({ ...dataSourceOptions(settings), migrations: MIGRATIONS.slice(0, count) });
    await dataSource.initialize();
    try {
      return await step(dataSource);
    } finally {
      await dataSource.destroy();
    }
  }

  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('applies every migration in order on a fresh schema, and nothing the second time', async () => {
    expect(await runMigrations(settings)).toEqual(MIGRATIONS.map((migration) => migration.name));
    expect(await runMigrations(settings)).toEqual([]);
  });

  it('leaves, after each down, the schema as it was before that up; then migrates up to the same schema again', async () => {
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.query(`CREATE SCHEMA "${schema}"`);
    // Up one migration at a time, recording the schema after each.
    const after = [await catalog()];
    for (let count = 1; count <= MIGRATIONS.length; count++) {
      await withMigrations(count, (dataSource) => dataSource.runMigrations({ transaction: 'each' }));
      after.push(await catalog());
    }
    const full = after[MIGRATIONS.length];
    // Every table of ours has row-level security enabled and forced (the migrations table is not ours).
    expect(full.rowSecurity.length).toBeGreaterThan(5);
    expect(full.rowSecurity.filter((row) => !row.endsWith(' true true'))).toEqual([]);

    for (let count = MIGRATIONS.length; count >= 1; count--) {
      await withMigrations(count, (dataSource) => dataSource.undoLastMigration({ transaction: 'each' }));
      const name = MIGRATIONS[count - 1].name;
      expect({ name, ...(await catalog()) }).toEqual({ name, ...after[count - 1] });
    }
    expect((await admin.query(`SELECT count(*)::int AS n FROM "${schema}".migrations`)).rows[0].n).toBe(0);

    expect(await runMigrations(settings)).toHaveLength(MIGRATIONS.length);
    expect(await catalog()).toEqual(full);
  }, 120_000);
});

import { Pool } from 'pg';
import { PER_JOB_FUNCTIONS } from '../../libs/db/src/migrations/1764000016400-per-job-functions-in-plpgsql';
import { E2E } from '../support/test-env';
import { MEDIUM } from './support/medium-env';

/**
 * The functions every claim, settle and span edge calls keep their plans for the session (docs/decisions.md §46): a
 * SQL-language function that cannot be inlined is planned again on every call, which cost a few tenths of a
 * millisecond of Postgres per job each. What they answer is tested where they are used (sync-lease-batches,
 * span-guard-claim, webhook-delivery, the webhook e2e files); the down is tested by migrations-reversible.
 */
describe('per-job functions', () => {
  const admin = new Pool({ connectionString: E2E.databaseUrl, max: 1 });
  afterAll(() => admin.end());

  /** Whether each runs as its owner: as the migrations that made them chose. */
  const securityDefiner: Record<string, boolean> = {
    'statusync_webhook_listening()': true,
    'statusync_span_guard(uuid, text)': false,
    'statusync_webhook_emit(text, text, text)': true,
  };

  it.each(PER_JOB_FUNCTIONS)('%s is PL/pgSQL, with its security and search_path as before', async (fn) => {
    const { rows } = await admin.query(
      `SELECT l.lanname, p.prosecdef, p.proconfig FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE p.oid = to_regprocedure($1)`,
      [`"${MEDIUM.schema}".${fn}`],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual({ lanname: 'plpgsql', prosecdef: securityDefiner[fn], proconfig: [`search_path=${MEDIUM.schema}, pg_temp`] });
  });
});

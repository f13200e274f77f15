import { Pool } from 'pg';
import { LocalPgBouncer } from '../support/pgbouncer';
import { newUser, settled, startStack, TestStack } from '../support/stack';
import { E2E } from '../support/test-env';

/**
 * Issue 10: PgBouncer in transaction mode. The services reach Postgres only through it (migrations go direct, via
 * MIGRATION_DATABASE_URL); an update is accepted and applied on both fakes; the user scope never outlives its
 * transaction on a server connection other clients share next (a pool of ONE server connection).
 */
describe('through PgBouncer (transaction pooling)', () => {
  let bouncer: LocalPgBouncer;
  let stack: TestStack;

  beforeAll(async () => {
    bouncer = await LocalPgBouncer.start(E2E.databaseUrl, E2E.schema, 1);
    stack = await startStack('pgbouncer', { env: { DATABASE_URL: bouncer.url(), MIGRATION_DATABASE_URL: E2E.databaseUrl } });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await bouncer?.stop();
  });

  it('an update is accepted and applied on both platforms', async () => {
    const user = await newUser(stack);
    const accepted = await stack.api.post('/api/v1/status/update', user.jwt, { emoji: ':coffee:', message: 'Via PgBouncer' });
    expect(accepted.status).toBe(202);
    expect((await settled(stack, user, accepted.body.id, 30_000)).state).toBe('succeeded');
    expect(stack.slack.profileOf(user.slackUserId).status_text).toBe('Via PgBouncer');
    expect(stack.github.statusOf(user.githubLogin)).toMatchObject({ message: 'Via PgBouncer' });
  });

  it('leaves no session state behind: the next transaction on the shared server connection has no user scope', async () => {
    const user = await newUser(stack);
    expect((await stack.api.post('/api/v1/status/update', user.jwt, { emoji: ':x:', message: 'Scoped' })).status).toBe(202);
    const other = new Pool({ connectionString: bouncer.url(), max: 1 });
    try {
      // One server connection serves every client: whatever the services left on it, this transaction would see.
      const { rows } = await other.query(`SELECT current_setting('statusync.user_id', true) AS user_id, current_user AS role,
                                                 (SELECT count(*)::int FROM status_updates) AS visible`);
      expect({ ...rows[0], user_id: rows[0].user_id ?? '' }).toEqual({ user_id: '', role: 'statusync_app', visible: 0 });
      // Named prepared statements would break here (another client's Parse lands on the server connection); the
      // services use unnamed ones only, which is what the successful run above shows.
    } finally {
      await other.end();
    }
  });
});

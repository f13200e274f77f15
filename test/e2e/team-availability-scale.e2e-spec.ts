import { randomBytes } from 'node:crypto';
import { newOrgUser } from '../support/org-users';
import { startStack, TestStack, TestUser } from '../support/stack';

const MEMBERS = 1_000;
const ROUNDS = 20;

/** One query plan whatever the team size: a 1,000-member team, its availability read page by page. */
describe('team availability at 1,000 members', () => {
  let stack: TestStack;
  let admin: TestUser;
  let teamId: string;

  beforeAll(async () => {
    stack = await startStack('team-scale', { services: ['api-gateway'] });
    const org = `org-${randomBytes(3).toString('hex')}`;
    admin = await newOrgUser(stack, org, 'admin', []);
    teamId = (await stack.api.post('/api/v1/teams', admin.jwt, { name: 'Everyone' })).body.id;
    // Seeded in SQL (as the owner): 1,000 members, each with two connected platforms, an update and its deliveries.
    await stack.db.query(
      `WITH u AS (INSERT INTO users (subject, org_id, time_zone) SELECT 'scale-' || lpad(i::text, 4, '0') || '-' || $2, $1, 'Europe/Berlin' FROM generate_series(1, $3) i RETURNING id),
       m AS (INSERT INTO team_members (team_id, user_id) SELECT $4, id FROM u),
       c AS (INSERT INTO platform_configs (user_id, platform, account_id, account_name, token_ciphertext, token_key_id, seen_emoji, seen_message, seen_at, seen_via)
             SELECT id, p, 'acct', 'acct', '\\x00'::bytea, 'k', ':no_entry:', 'Busy', now(), 'receipt' FROM u, unnest(ARRAY['github', 'slack']) p),
       s AS (INSERT INTO status_updates (user_id, kind, emoji, message, limited_availability, platforms, source, expires_at)
             SELECT id, 'set', ':no_entry:', 'Busy', true, ARRAY['github', 'slack'], 'preset', now() + interval '1 hour' FROM u RETURNING id, user_id)
       INSERT INTO status_deliveries (update_id, platform, user_id, state) SELECT s.id, p, s.user_id, 'succeeded' FROM s, unnest(ARRAY['github', 'slack']) p`,
      [org, randomBytes(2).toString('hex'), MEMBERS, teamId],
    );
    await stack.db.query('ANALYZE');
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('reads every page of 200 quickly; p95 of one call is reported', async () => {
    const timings: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let cursor: string | null = null;
      let seen = 0;
      do {
        const started = performance.now();
        const answer: { status: number; body: { items: unknown[]; nextCursor: string | null } } = await stack.api.get(`/api/v1/teams/${teamId}/availability?limit=200${cursor ? `&cursor=${cursor}` : ''}`, admin.jwt);
        timings.push(performance.now() - started);
        expect(answer.status).toBe(200);
        seen += answer.body.items.length;
        cursor = answer.body.nextCursor;
      } while (cursor);
      expect(seen).toBe(MEMBERS);
    }
    timings.sort((a, b) => a - b);
    const p95 = timings[Math.ceil(timings.length * 0.95) - 1];
    const p50 = timings[Math.ceil(timings.length * 0.5) - 1];
    process.stdout.write(`team availability, 1,000 members, limit=200: ${timings.length} calls, p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms\n`);
    expect(p95).toBeLessThan(500);
  }, 120_000);
});

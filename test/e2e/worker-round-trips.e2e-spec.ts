import { RoundTripProxy } from '../support/round-trip-proxy';
import { ServiceProcess } from '../support/services';
import { newUser, settled, startStack, TestStack, TestUser } from '../support/stack';
import { E2E } from '../support/test-env';

const UPDATE = '/api/v1/status/update';

/**
 * Issue 10: an applied job costs the worker at most TWO Postgres round trips, the claim and the settle (each one
 * statement that scopes itself and carries what used to take a transaction of its own: the update's row, the
 * receipt, the live audience); jobs claiming or settling at the same moment share one statement (§39). Only the
 * worker talks to Postgres through the counting proxy, so any added round trip fails here.
 * Counted per attempt, from the statements themselves: a slow machine may retry a call (a timeout), which costs
 * another claim and settle, and may reopen a pooled connection (the pool closes idle ones), which is not per job.
 */
describe('worker round trips per applied job', () => {
  let stack: TestStack;
  let postgres: RoundTripProxy;
  let worker: ServiceProcess;
  let alice: TestUser;

  beforeAll(async () => {
    const pg = new URL(E2E.databaseUrl);
    postgres = await RoundTripProxy.start(pg.hostname, Number(pg.port || 5432));
    pg.port = String(postgres.port);
    stack = await startStack('worker-round-trips', { services: ['api-gateway'] });
    // The webhook sweep's periodic query would land in the count whenever the run crosses its minute.
    worker = await stack.startService('sync-worker', { DATABASE_URL: pg.toString(), WEBHOOK_SWEEP_INTERVAL_MS: '3600000' });
    alice = await newUser(stack);
    // Warm up: the worker's pool connections opened.
    const warmUp = await stack.api.post(UPDATE, alice.jwt, { emoji: ':zap:', message: 'warm-up' });
    expect((await settled(stack, alice, warmUp.body.id)).state).toBe('succeeded');
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await stack?.stop();
    await postgres?.close();
  });

  it('applies three updates on two platforms in at most 2 Postgres round trips per job', async () => {
    const before = postgres.count;
    const ids: string[] = [];
    for (const message of ['one', 'two', 'three']) {
      const answer = await stack.api.post(UPDATE, alice.jwt, { emoji: ':coffee:', message });
      expect(answer.status).toBe(202);
      ids.push(answer.body.id);
      const outcome = await settled(stack, alice, answer.body.id);
      expect(outcome.platforms).toMatchObject({ github: { state: 'succeeded' }, slack: { state: 'succeeded' } });
    }
    const turns = postgres.headsSince(before);
    const { rows: logs } = await stack.db.query(`SELECT platform, attempt, outcome, error_code FROM sync_logs WHERE update_id = ANY ($1) ORDER BY created_at`, [ids]);
    // Connection set-up (a startup packet has no message type) and Terminate ('X') are the pool's, not a job's.
    const statements = turns.filter((head) => /^[QP]/.test(head));
    // A claim or settle alone (statusync_claim_delivery) or of several jobs together (statusync_claim_deliveries).
    const count = (fn: RegExp) => statements.filter((head) => fn.test(head)).length;
    const claims = count(/statusync_claim_deliver(y|ies)\(/);
    const settles = count(/statusync_settle_deliver(y|ies)\(/);
    // On a mismatch Jest prints the whole received object: what each turn sent and what the worker recorded say why.
    expect({ claimsAtMostAttempts: claims <= logs.length, settlesAtMostAttempts: settles <= logs.length, other: statements.length - claims - settles, turns, logs }).toEqual({
      claimsAtMostAttempts: true,
      settlesAtMostAttempts: true,
      other: 0,
      turns: expect.any(Array),
      logs: expect.any(Array),
    });
    // Three updates one after the other: each needs a claim and a settle of its own at least.
    expect(Math.min(claims, settles)).toBeGreaterThanOrEqual(3);
    expect(logs.length).toBeGreaterThanOrEqual(3 * 2);
    expect(logs.filter((log) => log.outcome === 'succeeded')).toHaveLength(3 * 2);
    expect(stack.github.statusOf(alice.githubLogin)).toMatchObject({ message: 'three' });
  });
});

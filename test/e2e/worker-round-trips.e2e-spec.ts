import { RoundTripProxy } from '../support/round-trip-proxy';
import { ServiceProcess } from '../support/services';
import { newUser, settled, startStack, TestStack, TestUser } from '../support/stack';
import { E2E } from '../support/test-env';

const UPDATE = '/api/v1/status/update';

/**
 * Issue 10: an applied job costs the worker TWO Postgres round trips, the claim and the settle (each one statement
 * that scopes itself and carries what used to take a transaction of its own: the update's row, the receipt, the
 * live audience). Only the worker talks to Postgres through the counting proxy, so any added round trip fails here.
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

  it('applies three updates on two platforms in 2 Postgres round trips per job', async () => {
    const before = postgres.count;
    for (const message of ['one', 'two', 'three']) {
      const answer = await stack.api.post(UPDATE, alice.jwt, { emoji: ':coffee:', message });
      expect(answer.status).toBe(202);
      const outcome = await settled(stack, alice, answer.body.id);
      expect(outcome.platforms).toMatchObject({ github: { state: 'succeeded' }, slack: { state: 'succeeded' } });
    }
    expect(postgres.count - before).toBe(3 * 2 * 2);
    expect(stack.github.statusOf(alice.githubLogin)).toMatchObject({ message: 'three' });
  });
});

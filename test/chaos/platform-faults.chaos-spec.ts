import { waitFor } from '../support/wait-for';
import { ChaosStack } from './support/chaos-stack';
import { expectInvariants, printResult, runScenario } from './support/scenario';

/**
 * The platforms misbehave while the stream runs: rate-limit storms (GitHub's primary and secondary limits,
 * Slack's 429 with Retry-After), bursts of 5xx, and calls that outlast our timeout (PLATFORM_TIMEOUT_MS is
 * 1.5 s here). GitHub's `hang` never answers and never applies; Slack's `slow` (and GitHub's, made by the tap)
 * applies the call 2 s after it arrived, like a real platform that got the request and was slow to act on it,
 * although we gave up at 1.5 s: a late landing. The worker keeps the user's platform to itself for one more
 * timeout after giving up on a call, so a late landing cannot overwrite a newer status (docs/security.md).
 * The gateway is not on this path at all: it keeps accepting.
 */
describe('chaos: the platforms rate-limit, fail and hang', () => {
  let stack: ChaosStack;

  beforeAll(async () => {
    stack = await ChaosStack.start({ label: 'platform_faults' });
  }, 90_000);

  afterAll(() => stack?.stop());

  it('retries through 429 storms, 5xx and timeouts and keeps the last write (summary counted per delivery)', async () => {
    const { github, slack } = stack;
    const injected = { github: 0, slack: 0 };
    // A fault window lasts until the stream has run into every failure it queued.
    const consumed = () =>
      waitFor(
        () =>
          github.requests.filter((r) => r.failure !== null).length >= injected.github &&
          slack.requests.filter((r) => r.failure !== null).length >= injected.slack,
        'the stream to run into every queued failure',
        20_000,
        20,
      );

    const result = await runScenario(stack, {
      loadMs: 26_000,
      async inject({ at, window }) {
        await at(4_000);
        await window('429 storms', async () => {
          github.failNext('rate_limited', 25, { resetInSeconds: 1 });
          github.failNext('secondary_403', 25, { retryAfterSeconds: 1 });
          slack.failNext('ratelimited', 40, { retryAfterSeconds: 1 });
          injected.github += 50;
          injected.slack += 40;
          await consumed();
        });
        await at(10_000);
        await window('5xx bursts', async () => {
          github.failNext('bad_gateway', 20);
          slack.failNext('server_error', 20);
          injected.github += 20;
          injected.slack += 20;
          await consumed();
        });
        await at(15_000);
        await window('timeouts', async () => {
          github.failNext('hang', 6);
          stack.githubTap.delayNext(6, 2_000);
          slack.failNext('slow', 6, { delayMs: 2_000 });
          injected.github += 6;
          injected.slack += 6;
          await consumed();
        });
      },
    });
    printResult('platform faults (429 storms, 5xx, hang and slow past the timeout)', result);

    expectInvariants(result);
    expect(result.report.notes.answers).toEqual({ 202: result.sent.length });
    // Calls that outlasted the timeout were recorded as such, and some of them landed after we gave up.
    const { rows } = await stack.db.query(`SELECT count(*)::int AS n FROM sync_logs WHERE error_code = 'timeout'`);
    expect(rows[0].n).toBeGreaterThanOrEqual(12);
    expect(result.report.notes.lateLandings).toBeGreaterThan(0);
    // Every wait a platform asked for was honoured, storm or not: no retry came sooner than Retry-After. A
    // `superseded` record after it is no call: a newer update's claim finished this one (supersede-on-claim).
    const early = await stack.db.query(
      `SELECT update_id, platform, attempt, retry_after_ms, waited_ms FROM (
         SELECT update_id, platform, attempt, retry_after_ms, lead(outcome) OVER w AS next_outcome,
                (extract(epoch FROM lead(created_at) OVER w - created_at) * 1000 - duration_ms)::int AS waited_ms
         FROM sync_logs WINDOW w AS (PARTITION BY update_id, platform ORDER BY id)) attempts
       WHERE retry_after_ms IS NOT NULL AND next_outcome <> 'superseded' AND waited_ms < retry_after_ms - 50`,
    );
    expect(early.rows).toEqual([]);
  }, 150_000);
});

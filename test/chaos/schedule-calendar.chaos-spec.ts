import Redis from 'ioredis';
import { IcsFake } from '../fakes/ics-fake';
import { icsFeed } from '../support/calendar-helpers';
import { ServiceProcess } from '../support/services';
import { ChaosStack, ChaosUser } from './support/chaos-stack';
import { appliedWrites } from './support/invariants';
import { sleep } from './support/load-driver';
import { waitFor } from '../support/wait-for';
import { PlatformTap } from './support/platform-tap';

const USERS = 12;
const SPAN_MS = 5_000;
const GAP_MS = 6_000;
const PREVIOUS = (user: ChaosUser) => `Before ${user.index}`;
const MEETING = 'In a meeting';

/** Whole seconds (iCalendar times have none). */
const wholeSecond = (ms: number) => Math.ceil(ms / 1000) * 1000;

/**
 * The span engine under faults (issue 9): half the users have two one-off schedules, half an ICS calendar with
 * two meetings, all starting and ending within the run. Two scheduler replicas run; one is SIGKILLed and the
 * private Redis flushed mid-schedule, then it restarts; the calendar poller is SIGKILLed in the middle of a feed
 * read (the feed host holds its answer) and restarts. Invariants, from the platform taps: on each platform every
 * user sees exactly previous → span A → previous → span B → previous (each start and each restore applied once,
 * nothing lost, nothing doubled, each restore puts back the previous status); in Postgres every span has exactly
 * one start and one end edge.
 */
describe('chaos: schedules and calendars while schedulers die, Redis is flushed and the poller is killed mid-read', () => {
  let stack: ChaosStack;
  let ics: IcsFake;
  let icsTap: PlatformTap;
  let redis: Redis;

  beforeAll(async () => {
    ics = await IcsFake.start();
    icsTap = await PlatformTap.start(ics.url);
    stack = await ChaosStack.start({
      label: 'schedule_calendar',
      users: USERS,
      services: ['api-gateway', 'sync-worker', 'scheduler', 'calendar-poller'],
      env: {
        ALLOW_PRIVATE_URLS: 'true',
        CALENDAR_POLL_INTERVAL_MS: '1000',
        CALENDAR_FETCH_TIMEOUT_MS: '5000',
        SCHEDULE_RECONCILE_INTERVAL_MS: '1000',
      },
    });
    redis = new Redis(stack.redis.url, { maxRetriesPerRequest: 1 });
  }, 120_000);

  afterAll(async () => {
    redis?.disconnect();
    await stack?.stop();
    await icsTap?.close();
    await ics?.close();
  });

  const api = async (user: ChaosUser, method: string, path: string, body: unknown) => {
    const answer = await fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${user.jwt}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: answer.status, body: (await answer.json().catch(() => null)) as Record<string, unknown> | null };
  };

  it('applies every start and every restore exactly once, restoring the previous status each time', async () => {
    const schedulerA = stack.services.scheduler!;
    const schedulerB: ServiceProcess = await stack.startService('scheduler');

    // The status before: what every restore must bring back (with an expiry well after the run).
    for (const user of stack.users) {
      const answer = await api(user, 'POST', '/api/v1/status/update', { emoji: ':coffee:', message: PREVIOUS(user), durationMinutes: 120 });
      expect(answer.status).toBe(202);
    }
    const shows = (user: ChaosUser, message: string) =>
      stack.slack.profileOf(user.slackUserId).status_text === message && stack.github.statusOf(user.githubLogin)?.message === message;
    await waitFor(() => stack.users.every((user) => shows(user, PREVIOUS(user))), 'the previous statuses', 30_000, 100);

    // Two spans per user, staggered so starts and ends keep happening during the faults.
    const t0 = Date.now();
    const expected = new Map<number, string[]>();
    for (const user of stack.users) {
      const a = wholeSecond(t0 + 10_000 + (user.index % 6) * 1_500);
      const b = a + SPAN_MS + GAP_MS;
      if (user.index % 2 === 0) {
        for (const [label, start] of [['A', a], ['B', b]] as const) {
          const body = { startsAt: new Date(start).toISOString(), endsAt: new Date(start + SPAN_MS).toISOString(), status: { emoji: ':calendar:', message: `Schedule ${user.index} ${label}` } };
          expect((await api(user, 'POST', '/api/v1/status/schedules', body)).status).toBe(201);
        }
        expected.set(user.index, [PREVIOUS(user), `Schedule ${user.index} A`, PREVIOUS(user), `Schedule ${user.index} B`, PREVIOUS(user)]);
      } else {
        const path = `/chaos/${user.slackUserId}.ics`;
        ics.serve(path, icsFeed([
          { uid: `${user.index}-a`, start: new Date(a), end: new Date(a + SPAN_MS), summary: 'Sync A' },
          { uid: `${user.index}-b`, start: new Date(b), end: new Date(b + SPAN_MS), summary: 'Sync B' },
        ]));
        const created = await api(user, 'POST', '/api/v1/config/calendars', { type: 'ics', url: `${icsTap.baseUrl}${path}`, ownerEmail: `u${user.index}@example.com` });
        expect(created.status).toBe(201);
        expected.set(user.index, [PREVIOUS(user), MEETING, PREVIOUS(user), MEETING, PREVIOUS(user)]);
      }
    }
    const lastEnd = wholeSecond(t0 + 10_000 + 5 * 1_500) + 2 * SPAN_MS + GAP_MS;

    // Mid-schedule: scheduler A is SIGKILLed and Redis loses every job (delayed edges, sync jobs, poll jobs).
    await sleep(Math.max(0, t0 + 13_000 - Date.now()));
    await schedulerA.kill();
    await redis.flushall();
    await sleep(1_000);
    await stack.startService('scheduler');

    // The poller dies while a feed read is in flight (the feed host holds its answers for 3 s).
    await sleep(Math.max(0, t0 + 19_000 - Date.now()));
    icsTap.delayNext(1_000, 3_000);
    await waitFor(() => icsTap.records.some((r) => r.answeredAt === null), 'a feed read in flight', 10_000, 20);
    await stack.services['calendar-poller']!.kill();
    icsTap.clearDelays();
    await sleep(500);
    await stack.startService('calendar-poller');

    // Everything ends; then every platform must show the whole sequence for every user.
    await sleep(Math.max(0, lastEnd - Date.now()));
    const sequences = () => {
      const seen = new Map<string, string[]>();
      for (const write of appliedWrites(stack)) {
        const key = `${write.user}/${write.platform}`;
        seen.set(key, [...(seen.get(key) ?? []), write.message ?? '']);
      }
      return seen;
    };
    const complete = () => stack.users.every((u) => ['github', 'slack'].every((p) => (sequences().get(`${u.index}/${p}`)?.length ?? 0) >= 5));
    await waitFor(complete, 'every start and restore applied', 60_000, 200).catch(() => undefined);
    // Nothing left that could still land (a doubled start or restore would): no delivery pending, no platform call
    // in flight.
    await waitFor(
      async () => {
        const { rows } = await stack.db.query(`SELECT count(*)::int AS n FROM status_deliveries WHERE state = 'pending'`);
        return rows[0].n === 0 && [stack.githubTap, stack.slackTap].every((tap) => tap.records.every((r) => r.answeredAt !== null));
      },
      'no delivery pending and no platform call in flight',
      30_000,
      100,
    );

    const problems: string[] = [];
    let [applied, lost, doubled] = [0, 0, 0];
    for (const user of stack.users) {
      for (const platform of ['github', 'slack']) {
        // The first write is the status before; the span engine's are the rest (two starts, two restores).
        const got = sequences().get(`${user.index}/${platform}`) ?? [];
        applied += Math.max(0, got.length - 1);
        lost += Math.max(0, 5 - got.length);
        doubled += Math.max(0, got.length - 5);
        if (JSON.stringify(got) !== JSON.stringify(expected.get(user.index))) problems.push(`user ${user.index} ${platform}: ${JSON.stringify(got)}`);
      }
    }
    const edges = (
      await stack.db.query(
        `SELECT s.id, count(e.*) FILTER (WHERE e.edge = 'start')::int AS starts, count(e.*) FILTER (WHERE e.edge = 'end')::int AS ends
         FROM status_spans s LEFT JOIN span_edges e ON e.span_id = s.id WHERE s.cancelled_at IS NULL GROUP BY s.id`,
      )
    ).rows as { starts: number; ends: number }[];
    const expectedWrites = USERS * 2 * 4;
    process.stdout.write(
      `\nchaos schedule-calendar: ${USERS} users, ${edges.length} spans (2 scheduler replicas; scheduler SIGKILL + Redis FLUSHALL at 13 s; poller SIGKILL mid-read at 19 s); ` +
        `edges ${edges.reduce((n, e) => n + e.starts + e.ends, 0)}/${edges.length * 2}\n` +
        `expected ${expectedWrites}, applied ${applied}, wrong sequences ${problems.length}, lost ${lost}, doubled ${doubled}\n`,
    );
    expect(problems).toEqual([]);
    expect(edges).toHaveLength(USERS * 2);
    expect(edges.every((e) => e.starts === 1 && e.ends === 1)).toBe(true);
    void schedulerB;
  }, 180_000);
});

import fc from 'fast-check';
import { Pool } from 'pg';
import { IcsFake } from '../fakes/ics-fake';
import { icsFeed } from '../support/calendar-helpers';
import { mintJwt } from '../support/jwt';
import { newUser, startStack, TestStack, TestUser } from '../support/stack';
import { E2E } from '../support/test-env';
import { ApiFuzzer } from './api-fuzzer';
import { DbFingerprints } from './db-fingerprint';
import { anyRequestArb, fetchOpenApi, FuzzOperation, operationsOf } from './openapi-arbitraries';

/**
 * Issue 4: a property-based fuzzer driven by the OpenAPI document sends at least 10,000 generated requests
 * (valid, boundary and hostile) to every endpoint. Pass: no 5xx, no crash, every 4xx in the documented error
 * format, and the database unchanged by every refused request.
 *
 *   FUZZ_SEED         fast-check seed (default fixed, printed; a failure prints the seed and path to replay it)
 *   FUZZ_RUNS         property runs, each a batch of up to FUZZ_BATCH requests (default: enough for 10,000+)
 *   FUZZ_BATCH        most requests per run (default 48)
 *   FUZZ_CONCURRENCY  requests in flight (default 12; one per user at a time)
 *
 * "Unchanged" is checked per request, soundly under concurrency: requests are sent as one of a dozen users (or as
 * a first-sight subject), one at a time per user, and each is bracketed by a fingerprint of that user's rows in
 * every table with a user_id. A refused request, a read and an idempotent replay must leave it as it was: in full
 * when the worker had nothing pending for the user, otherwise without the columns only the worker writes.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_124);
const BATCH = Number(process.env.FUZZ_BATCH ?? 48);
/** Batches of 1..48 requests average ~23: 480 runs send ~11,000 requests, well clear of the issue's floor of 10,000 for any seed. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 480);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 12);
const MIN_REQUESTS = 10_000;
const DEFAULT_VOLUME = process.env.FUZZ_RUNS === undefined && process.env.FUZZ_BATCH === undefined;

/** The fuzzed users: mostly both platforms, a few with one or none, so the "not configured" paths get traffic too. */
const PLATFORM_MIX: ('github' | 'slack')[][] = [
  ...Array.from({ length: 7 }, () => ['github', 'slack'] as ('github' | 'slack')[]),
  ['github'],
  ['github'],
  ['slack'],
  [],
  [],
];

/**
 * Most users are in an org, so the org operations (teams, calendar defaults) do real work: users 0–7 are the admin
 * of an org of their own, 8 and 9 a plain member of one, 10 and 11 in none. One user per org: an admin's writes
 * then never touch another fuzzed user's rows, which would break the per-user "unchanged" check (adding a member
 * of another org is refused).
 */
const ORG_CLAIMS: Record<number, { org_id: string; role: string }> = Object.fromEntries(
  Array.from({ length: 10 }, (_, index) => [index, { org_id: `fuzz-org-${index}`, role: index < 8 ? 'admin' : 'member' }]),
);

/**
 * Something of every kind for every user, made before fuzzing, so the operations on `{id}` find real ids: the
 * fuzzer picks path ids among those the API answered it with (the list GETs hand these out).
 */
async function seed(stack: TestStack, user: TestUser, jwt: string, feedUrl: string, admin: boolean): Promise<void> {
  const made = [
    await stack.api.post('/api/v1/status/templates', jwt, { name: 'Seeded', emoji: ':coffee:', message: 'Back at {until}', durationMinutes: 30 }),
    await stack.api.post('/api/v1/status/schedules', jwt, {
      startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      endsAt: new Date(Date.now() + 30 * 86_400_000 + 3_600_000).toISOString(),
      rrule: 'FREQ=WEEKLY;COUNT=4',
      status: { emoji: ':sandwich:', message: 'Lunch for {duration}' },
    }),
    await stack.api.post('/api/v1/config/calendars', jwt, { type: 'ics', url: feedUrl, ownerEmail: `${user.subject}@example.com` }),
    ...(admin ? [await stack.api.post('/api/v1/teams', jwt, { name: 'Seeded team' }), await stack.api.request('PUT', '/api/v1/config/calendar-defaults', { token: jwt, body: { includeTitles: false } })] : []),
  ];
  const failed = made.filter((answer) => answer.status >= 300);
  if (failed.length > 0) throw new Error(`seeding failed: ${failed.map((answer) => `${answer.status} ${answer.text}`).join('; ')}`);
}

/**
 * The document's example credentials (a `token` property's example) become real in the fakes, so a request
 * built from the document can connect a platform (201) and not only be refused by it (422).
 */
function exampleTokens(operations: FuzzOperation[]): string[] {
  const tokens = operations.flatMap((op) => {
    const example = op.body?.schema.properties?.token?.example;
    return typeof example === 'string' ? [example] : [];
  });
  return [...new Set(tokens)];
}

describe('API fuzzing, driven by the OpenAPI document', () => {
  let stack: TestStack;
  let pool: Pool;
  let operations: FuzzOperation[];
  let fuzzer: ApiFuzzer;
  let ics: IcsFake;

  beforeAll(async () => {
    ics = await IcsFake.start();
    const start = new Date(Date.now() + 3_600_000);
    const feedUrl = ics.serve('/fuzz.ics', icsFeed([{ uid: 'fuzz-1', start, end: new Date(start.getTime() + 1_800_000), summary: 'Fuzz sync' }]));
    stack = await startStack('fuzz', {
      env: {
        // Per-user budgets far above what the fuzzer sends: it is here to find bugs, not to be rate-limited.
        RATE_LIMIT_WRITES_PER_HOUR: '10000000',
        RATE_LIMIT_READS_PER_HOUR: '10000000',
        RATE_LIMIT_PUBLIC_PER_MINUTE: '10000000',
        // Errors and warnings only: debug logging of 10,000 requests costs more than the requests.
        LOG_LEVEL: 'warn',
        // The seeded calendars are served from this machine; feeds the fuzzer invents fail fast.
        ALLOW_PRIVATE_URLS: 'true',
        CALENDAR_FETCH_TIMEOUT_MS: '2000',
        // OAuth on (any client id will do: the fuzzer never completes a provider's flow), so its routes do real work.
        GITHUB_OAUTH_CLIENT_ID: 'fuzz-github-client',
        GITHUB_OAUTH_CLIENT_SECRET: 'fuzz-github-secret',
        SLACK_OAUTH_CLIENT_ID: 'fuzz-slack-client',
        SLACK_OAUTH_CLIENT_SECRET: 'fuzz-slack-secret',
      },
    });
    operations = operationsOf(await fetchOpenApi(stack.api.baseUrl));
    for (const token of exampleTokens(operations)) {
      stack.github.addToken(token, { login: 'octocat' });
      stack.slack.addToken(token, { userId: 'UEXAMPLE', name: 'example' });
    }
    const users = await Promise.all(PLATFORM_MIX.map((platforms) => newUser(stack, platforms)));
    const claims = Object.fromEntries(Object.entries(ORG_CLAIMS).map(([index, claim]) => [users[Number(index)].subject, claim]));
    const jwtOf = (user: TestUser) => (claims[user.subject] ? mintJwt(user.subject, { claims: claims[user.subject] }) : user.jwt);
    // Every user has called the API once (GET), so each has a row (and its org) before fuzzing starts.
    await Promise.all(users.map((user) => stack.api.get('/api/v1/status/current', jwtOf(user))));
    await Promise.all(users.map((user) => seed(stack, user, jwtOf(user), feedUrl, claims[user.subject]?.role === 'admin')));
    pool = new Pool({ connectionString: E2E.databaseUrl, max: CONCURRENCY, options: `-c search_path=${E2E.schema}` });
    fuzzer = new ApiFuzzer({
      baseUrl: stack.api.baseUrl,
      gateway: stack.services['api-gateway'],
      operations,
      subjects: users.map((user) => user.subject),
      claims,
      fingerprints: await DbFingerprints.discover(pool),
      concurrency: CONCURRENCY,
    });
  }, 120_000);

  afterAll(async () => {
    await pool?.end();
    await stack?.stop();
    await ics?.close();
  });

  it(`sends ${DEFAULT_VOLUME ? `${MIN_REQUESTS}+` : 'the requested'} generated requests to every operation: no 5xx, no crash, problem details, nothing changed by a refused request`, async () => {
    const started = Date.now();
    process.stdout.write(`[fuzz] seed ${SEED} (FUZZ_SEED), ${RUNS} runs of up to ${BATCH} requests, ${CONCURRENCY} in flight, ${operations.length} operations\n`);
    let failure: unknown;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(anyRequestArb(operations, PLATFORM_MIX.length), { minLength: 1, maxLength: BATCH, size: 'max' }), (batch) => fuzzer.runBatch(batch)),
        { seed: SEED, numRuns: RUNS },
      );
    } catch (error) {
      failure = error;
    }
    const { stats } = fuzzer;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const statuses = [...stats.byStatus.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
    process.stdout.write(
      `[fuzz] ${stats.requests} requests to ${stats.byOperation.size}/${operations.length} operations in ${seconds} s (seed ${SEED}): ${statuses}` +
        ` | must-not-change checks: ${stats.unchangedChecks.strong} full, ${stats.unchangedChecks.weak} without worker columns` +
        ` | accepted writes: ${stats.acceptedWrites.changed} changed the db, ${stats.acceptedWrites.unchanged} did not | first-sight users ${stats.firstSightUsers}\n`,
    );
    // What the requests were made of: each part as generated (valid, boundary, hostile) and how they authenticated.
    const parts = new Map<string, string[]>();
    for (const [tag, n] of [...stats.byTag.entries()].sort()) {
      const [part, kind] = tag.split(':');
      parts.set(part, [...(parts.get(part) ?? []), `${kind}×${n}`]);
    }
    process.stdout.write(`[fuzz]   parts: ${[...parts.entries()].map(([part, kinds]) => `${part} ${kinds.join(' ')}`).join(' | ')}\n`);
    for (const [op, byStatus] of [...stats.byOperation.entries()].sort()) {
      process.stdout.write(`[fuzz]   ${op.padEnd(44)} ${[...byStatus.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}\n`);
    }
    if (failure) throw failure;

    // Nothing was silently skipped: every operation in the document got requests, and none outside it.
    expect([...stats.byOperation.keys()].sort()).toEqual(operations.map((op) => op.id).sort());
    // A path variable the document does not declare was fuzzed as free text, but clients cannot know what it takes.
    const undeclared = operations.flatMap((op) => op.pathParams.filter((p) => !p.documented).map((p) => `${op.id}: {${p.name}}`));
    expect({ undeclaredPathParameters: undeclared }).toEqual({ undeclaredPathParameters: [] });
    if (DEFAULT_VOLUME) expect(stats.requests).toBeGreaterThanOrEqual(MIN_REQUESTS);
    // Still alive and well after all of it; the worker too (hostile text travelled into its jobs).
    expect(fuzzer.gatewayExit).toBeNull();
    expect((await fetch(`${stack.api.baseUrl}/health/live`)).status).toBe(200);
    expect((await fetch(`${stack.services['sync-worker'].url}/health/live`)).status).toBe(200);
  }, 20 * 60_000);
});

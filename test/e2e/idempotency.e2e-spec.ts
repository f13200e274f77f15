import { randomBytes } from 'node:crypto';
import { ApiResponse } from '../support/api-client';
import { newUser, settled, startStack, TestStack, TestUser } from '../support/stack';
import { waitUntilQuiet } from '../support/quiet';

const UPDATE = '/api/v1/status/update';
const CLEAR = '/api/v1/status/clear';
const BUSY = '/api/v1/status/presets/busy';

const newKey = () => `idem-${randomBytes(8).toString('hex')}`;

describe('Idempotency-Key on the POST /status routes', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack('idempotency');
  }, 60_000);

  afterAll(() => stack?.stop());

  const post = (user: TestUser, path: string, body: unknown, key?: string) =>
    stack.api.post(path, user.jwt, body, key === undefined ? undefined : { 'idempotency-key': key });

  async function userIdOf(user: TestUser): Promise<string> {
    const { rows } = await stack.db.query<{ id: string }>('SELECT id FROM users WHERE subject = $1', [user.subject]);
    return rows[0].id;
  }

  /** The user's status_updates rows, oldest first, and how many deliveries they have. */
  async function stored(user: TestUser) {
    const id = await userIdOf(user);
    const updates = await stack.db.query<{ id: string; idempotency_key: string | null; message: string | null }>(
      'SELECT id, idempotency_key, message FROM status_updates WHERE user_id = $1 ORDER BY seq',
      [id],
    );
    const deliveries = await stack.db.query<{ update_id: string; platform: string }>(
      'SELECT update_id, platform FROM status_deliveries WHERE user_id = $1 ORDER BY update_id, platform',
      [id],
    );
    return { updates: updates.rows, deliveries: deliveries.rows };
  }

  const writes = (user: TestUser) => ({ github: stack.github.mutations(user.githubLogin).length, slack: stack.slack.profileWrites(user.slackUserId).length });

  function expectAccepted(answer: ApiResponse, replayed: boolean) {
    expect(answer.status).toBe(202);
    expect(answer.headers.get('idempotent-replayed')).toBe(replayed ? 'true' : null);
    expect(answer.headers.get('location')).toBe(`/api/v1/status/updates/${answer.body.id}`);
  }

  function expectKeyProblem(answer: ApiResponse, status: number) {
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body.requestId).toBe(answer.headers.get('x-request-id'));
    expect(answer.body.errors).toEqual([{ field: 'Idempotency-Key', reason: expect.any(String) }]);
  }

  it('replays the same key and body: same answer, one update, one write per platform', async () => {
    const user = await newUser(stack);
    const key = newKey();
    const body = { emoji: ':coffee:', message: 'Coffee break', durationMinutes: 15 };

    const first = await post(user, UPDATE, body, key);
    expectAccepted(first, false);
    await settled(stack, user, first.body.id);

    const second = await post(user, UPDATE, body, key);
    expectAccepted(second, true);
    expect(second.body.id).toBe(first.body.id);
    // Built only from stored fields: byte for byte the first answer.
    expect(second.text).toBe(first.text);

    // The same fields in another order are the same request.
    const reordered = await post(user, UPDATE, { durationMinutes: 15, message: 'Coffee break', emoji: ':coffee:' }, key);
    expectAccepted(reordered, true);
    expect(reordered.body.id).toBe(first.body.id);

    const rows = await stored(user);
    expect(rows.updates).toEqual([{ id: first.body.id, idempotency_key: key, message: 'Coffee break' }]);
    expect(rows.deliveries).toEqual([
      { update_id: first.body.id, platform: 'github' },
      { update_id: first.body.id, platform: 'slack' },
    ]);
    expect(writes(user)).toEqual({ github: 1, slack: 1 });
    // Nothing was enqueued again: still one write each a while later.
    await waitUntilQuiet(stack);
    expect(writes(user)).toEqual({ github: 1, slack: 1 });
    expect((await stack.api.get(`/api/v1/status/updates/${first.body.id}`, user.jwt)).body).toMatchObject({
      state: 'succeeded',
      platforms: { github: { attempts: 1 }, slack: { attempts: 1 } },
    });
  });

  it('refuses the same key with another body (or route) with 422 and stores nothing new', async () => {
    const user = await newUser(stack);
    const key = newKey();
    const first = await post(user, UPDATE, { message: 'First', emoji: ':rocket:' }, key);
    expectAccepted(first, false);
    await settled(stack, user, first.body.id);
    const before = await stored(user);

    for (const [path, body] of [
      [UPDATE, { message: 'Second', emoji: ':rocket:' }],
      [UPDATE, { message: 'First', emoji: ':rocket:', platforms: ['github'] }],
      [UPDATE, { message: 'First' }],
      [CLEAR, {}],
      [BUSY, {}],
    ] as const) {
      const reused = await post(user, path, body, key);
      expectKeyProblem(reused, 422);
      expect(reused.body).toMatchObject({ type: 'https://statusync.dev/problems/idempotency-key-reused', status: 422 });
      expect(reused.headers.get('idempotent-replayed')).toBeNull();
    }

    expect(await stored(user)).toEqual(before);
    await waitUntilQuiet(stack);
    expect(writes(user)).toEqual({ github: 1, slack: 1 });
    expect(stack.github.statusOf(user.githubLogin)?.message).toBe('First');
  });

  it('keeps keys per user: two users with the same key get two updates', async () => {
    const [alice, bob] = await Promise.all([newUser(stack), newUser(stack)]);
    const key = newKey();
    const body = { message: 'Same key, other person', emoji: ':wave:' };
    const forAlice = await post(alice, UPDATE, body, key);
    const forBob = await post(bob, UPDATE, body, key);
    expectAccepted(forAlice, false);
    expectAccepted(forBob, false);
    expect(forBob.body.id).not.toBe(forAlice.body.id);
    await Promise.all([settled(stack, alice, forAlice.body.id), settled(stack, bob, forBob.body.id)]);

    expect((await stored(alice)).updates).toEqual([{ id: forAlice.body.id, idempotency_key: key, message: body.message }]);
    expect((await stored(bob)).updates).toEqual([{ id: forBob.body.id, idempotency_key: key, message: body.message }]);
    expect(writes(alice)).toEqual({ github: 1, slack: 1 });
    expect(writes(bob)).toEqual({ github: 1, slack: 1 });
    // Neither can see the other's update through the key or the id.
    expect((await stack.api.get(`/api/v1/status/updates/${forBob.body.id}`, alice.jwt)).status).toBe(404);
  });

  it('treats the same body under different keys, or without a key, as separate updates', async () => {
    const user = await newUser(stack);
    const body = { message: 'Again', emoji: ':zzz:', platforms: ['github'] };
    const answers = [await post(user, UPDATE, body, newKey()), await post(user, UPDATE, body, newKey()), await post(user, UPDATE, body), await post(user, UPDATE, body)];
    for (const answer of answers) expectAccepted(answer, false);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(4);
    for (const answer of answers) await settled(stack, user, answer.body.id);
    const rows = await stored(user);
    expect(rows.updates.map((u) => u.id)).toEqual(answers.map((a) => a.body.id));
    expect(rows.deliveries).toHaveLength(4);
  });

  it('answers 10 concurrent duplicates with one update', async () => {
    const user = await newUser(stack);
    const key = newKey();
    const body = { message: 'Racing', emoji: ':dart:', limitedAvailability: true };

    const answers = await Promise.all(Array.from({ length: 10 }, () => post(user, UPDATE, body, key)));

    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    const [id] = ids;
    // Exactly one request created it; the other nine are replays.
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(9);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === null)).toHaveLength(1);

    await settled(stack, user, id);
    const rows = await stored(user);
    expect(rows.updates).toEqual([{ id, idempotency_key: key, message: 'Racing' }]);
    expect(rows.deliveries).toHaveLength(2);
    await waitUntilQuiet(stack);
    expect(writes(user)).toEqual({ github: 1, slack: 1 });
  });

  it('lets exactly one of two concurrent bodies under one key win', async () => {
    const user = await newUser(stack);
    const key = newKey();
    const bodies = [{ message: 'Body A' }, { message: 'Body B' }];
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => post(user, UPDATE, bodies[i % 2], key)));

    const winners = answers.filter((a) => a.status === 202);
    const losers = answers.filter((a) => a.status !== 202);
    expect(new Set(winners.map((a) => a.body.id)).size).toBe(1);
    expect(winners).toHaveLength(5);
    for (const loser of losers) expectKeyProblem(loser, 422);

    const [winner] = winners;
    await settled(stack, user, winner.body.id);
    const rows = await stored(user);
    expect(rows.updates).toHaveLength(1);
    expect(rows.updates[0].id).toBe(winner.body.id);
    // The 202s are exactly the requests that sent the winning body.
    const winningMessage = rows.updates[0].message;
    answers.forEach((answer, i) => expect({ i, status: answer.status }).toEqual({ i, status: bodies[i % 2].message === winningMessage ? 202 : 422 }));
  });

  it('releases a key after 24 hours', async () => {
    const user = await newUser(stack);
    const key = newKey();
    const body = { message: 'Yesterday', emoji: ':calendar:' };
    const old = await post(user, UPDATE, body, key);
    expectAccepted(old, false);
    await settled(stack, user, old.body.id);

    // Within the window it is still a replay.
    await stack.db.query(`UPDATE status_updates SET created_at = now() - interval '23 hours' WHERE id = $1`, [old.body.id]);
    const stillReplayed = await post(user, UPDATE, body, key);
    expectAccepted(stillReplayed, true);
    expect(stillReplayed.body.id).toBe(old.body.id);

    await stack.db.query(`UPDATE status_updates SET created_at = now() - interval '25 hours' WHERE id = $1`, [old.body.id]);
    const fresh = await post(user, UPDATE, body, key);
    expectAccepted(fresh, false);
    expect(fresh.body.id).not.toBe(old.body.id);
    await settled(stack, user, fresh.body.id);

    // The key moved to the new update; the old one keeps its history but not the key.
    const rows = await stored(user);
    expect(rows.updates).toEqual([
      { id: old.body.id, idempotency_key: null, message: 'Yesterday' },
      { id: fresh.body.id, idempotency_key: key, message: 'Yesterday' },
    ]);
    expect(writes(user)).toEqual({ github: 2, slack: 2 });

    // From now on the key replays the new update, and another body is refused again.
    const replay = await post(user, UPDATE, body, key);
    expectAccepted(replay, true);
    expect(replay.body.id).toBe(fresh.body.id);
    expectKeyProblem(await post(user, UPDATE, { message: 'Today' }, key), 422);

    // An expired key may also carry a different body.
    await stack.db.query(`UPDATE status_updates SET created_at = now() - interval '25 hours' WHERE id = $1`, [fresh.body.id]);
    const different = await post(user, UPDATE, { message: 'Today' }, key);
    expectAccepted(different, false);
    expect((await stored(user)).updates.map((u) => [u.message, u.idempotency_key])).toEqual([
      ['Yesterday', null],
      ['Yesterday', null],
      ['Today', key],
    ]);
  });

  it('refuses an invalid key with 400 and stores nothing', async () => {
    const user = await newUser(stack);
    const before = await stored(user);
    // (fetch trims leading and trailing blanks from header values, so only inner ones reach the server.)
    for (const key of ['k'.repeat(300), 'k'.repeat(256), 'has space', 'tab\tinside', '']) {
      for (const [path, body] of [
        [UPDATE, { message: 'Invalid key' }],
        [BUSY, undefined],
        [CLEAR, undefined],
      ] as const) {
        const answer = await post(user, path, body, key);
        expectKeyProblem(answer, 400);
        expect(answer.body).toMatchObject({ type: 'https://statusync.dev/problems/validation', status: 400 });
      }
    }
    expect(await stored(user)).toEqual(before);

    // 255 printable characters are fine.
    const longest = `${newKey()}`.padEnd(255, '~');
    const ok = await post(user, UPDATE, { message: 'Longest key' }, longest);
    expectAccepted(ok, false);
    expectAccepted(await post(user, UPDATE, { message: 'Longest key' }, longest), true);
    await settled(stack, user, ok.body.id);
    expect((await stored(user)).updates).toEqual([{ id: ok.body.id, idempotency_key: longest, message: 'Longest key' }]);
  });

  it('is honoured by presets', async () => {
    const user = await newUser(stack);
    const key = newKey();
    const first = await post(user, BUSY, undefined, key);
    expectAccepted(first, false);
    // No body and an empty body are the same request.
    const second = await post(user, BUSY, {}, key);
    expectAccepted(second, true);
    expect(second.text).toBe(first.text);
    await settled(stack, user, first.body.id);

    // Another preset, or the same preset with an override, under the same key is a reuse.
    expectKeyProblem(await post(user, '/api/v1/status/presets/lunch', undefined, key), 422);
    expectKeyProblem(await post(user, BUSY, { message: 'Deep work' }, key), 422);

    const withOverride = newKey();
    const lunch = await post(user, '/api/v1/status/presets/lunch', { message: 'Team lunch', durationMinutes: 90 }, withOverride);
    expectAccepted(lunch, false);
    expectAccepted(await post(user, '/api/v1/status/presets/lunch', { durationMinutes: 90, message: 'Team lunch' }, withOverride), true);
    await settled(stack, user, lunch.body.id);

    const rows = await stored(user);
    expect(rows.updates.map((u) => u.id)).toEqual([first.body.id, lunch.body.id]);
    expect(rows.deliveries).toHaveLength(4);
    await waitUntilQuiet(stack);
    expect(writes(user)).toEqual({ github: 2, slack: 2 });
  });

  it('is honoured by clear', async () => {
    const user = await newUser(stack);
    const set = await post(user, UPDATE, { message: 'To be cleared', emoji: ':sparkles:' });
    await settled(stack, user, set.body.id);

    const key = newKey();
    const first = await post(user, CLEAR, { platforms: ['slack'] }, key);
    expectAccepted(first, false);
    await settled(stack, user, first.body.id);
    const again = await post(user, CLEAR, { platforms: ['slack'] }, key);
    expectAccepted(again, true);
    expect(again.text).toBe(first.text);
    expectKeyProblem(await post(user, CLEAR, { platforms: ['github'] }, key), 422);
    expectKeyProblem(await post(user, CLEAR, undefined, key), 422);

    const rows = await stored(user);
    expect(rows.updates.map((u) => u.id)).toEqual([set.body.id, first.body.id]);
    await waitUntilQuiet(stack);
    // One set on both, one clear on Slack only.
    expect(writes(user)).toEqual({ github: 1, slack: 2 });
    expect(stack.github.statusOf(user.githubLogin)?.message).toBe('To be cleared');
    expect(stack.slack.profileOf(user.slackUserId)).toMatchObject({ status_text: '', status_emoji: '' });
  });
});

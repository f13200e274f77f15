import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import Redis from 'ioredis';
import { keyIdOf } from '../../libs/core/src/crypto/key-id';
import { TokenCipher } from '../../libs/core/src/crypto/token-cipher';
import { RESPONSES_SEEN } from '../support/api-client';
import { newUser, settled, startStack, TestStack, TestUser } from '../support/stack';
import { E2E } from '../support/test-env';

/**
 * Platform tokens are secrets: after a representative flow (connect, updates, presets, clear, a revoked token,
 * rejected tokens) none of them may appear in the database (not even inside the ciphertext), in an API answer,
 * in a service log or in Redis job data. Nor may the callers' JWTs appear in logs. The tests run in order and
 * share the flow's users; the last one stops the services to read their flushed logs.
 */
describe('tokens never leak', () => {
  let stack: TestStack;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  /** Every platform token of the flow, valid or not, and every JWT. */
  const tokens: string[] = [];
  const jwts: string[] = [];
  const userIds = new Map<string, string>();

  beforeAll(async () => {
    stack = await startStack('secrets');
  }, 60_000);

  afterAll(() => stack?.stop());

  async function postAndSettle(user: TestUser, path: string, body?: Record<string, unknown>) {
    const answer = await stack.api.post(path, user.jwt, body);
    expect(answer.status).toBe(202);
    return settled(stack, user, answer.body.id);
  }

  async function userIdOf(user: TestUser): Promise<string> {
    const { rows } = await stack.db.query(`SELECT id FROM users WHERE subject = $1`, [user.subject]);
    return rows[0].id;
  }

  /** Every way a secret could be written down: as is, hex (bytea text form) and base64. */
  const encodings = (secret: string) => [secret, Buffer.from(secret).toString('hex'), Buffer.from(secret).toString('base64')];
  const leaksIn = (text: string, secrets: string[]) => secrets.flatMap(encodings).filter((s) => text.includes(s));

  it('runs the representative flow', async () => {
    [alice, bob, carol] = [await newUser(stack), await newUser(stack), await newUser(stack)];
    for (const user of [alice, bob, carol]) {
      tokens.push(user.githubToken, user.slackToken);
      jwts.push(user.jwt);
      userIds.set(user.subject, await userIdOf(user));
    }

    expect((await postAndSettle(alice, '/api/v1/status/update', { message: 'Secret agent', emoji: ':sunglasses:' })).state).toBe('succeeded');
    expect((await postAndSettle(alice, '/api/v1/status/presets/busy')).state).toBe('succeeded');
    expect((await postAndSettle(alice, '/api/v1/status/clear')).state).toBe('succeeded');
    expect((await postAndSettle(bob, '/api/v1/status/presets/lunch', { message: 'Lunch' })).state).toBe('succeeded');

    // Carol's tokens are revoked on both platforms: both deliveries fail and need re-authorisation.
    stack.github.revokeToken(carol.githubToken);
    stack.slack.revokeToken(carol.slackToken);
    const revoked = await postAndSettle(carol, '/api/v1/status/update', { message: 'Nope' });
    expect(revoked.state).toBe('failed');
    expect(revoked.platforms.github.errorCode).toBe('bad_credentials');
    expect(revoked.platforms.slack.errorCode).toBe('token_revoked');

    // Tokens the platforms reject, and one our validation rejects, are answered without echoing them.
    const rejectedSlack = `xoxp-rejected-${randomBytes(12).toString('hex')}`;
    const rejectedGithub = `ghp_rejected${randomBytes(12).toString('hex')}`;
    const malformed = `xoxp-mal formed-${randomBytes(12).toString('hex')}`;
    tokens.push(rejectedSlack, rejectedGithub, malformed);
    const slackAnswer = await stack.api.post('/api/v1/config/platforms', bob.jwt, { platform: 'slack', token: rejectedSlack });
    expect(slackAnswer.status).toBe(422);
    expect(slackAnswer.body).toMatchObject({ platform: 'slack', platformError: 'invalid_auth' });
    const githubAnswer = await stack.api.post('/api/v1/config/platforms', bob.jwt, { platform: 'github', token: rejectedGithub });
    expect(githubAnswer.status).toBe(422);
    expect(githubAnswer.body).toMatchObject({ platform: 'github', platformError: 'bad_credentials' });
    expect((await stack.api.post('/api/v1/config/platforms', bob.jwt, { platform: 'slack', token: malformed })).status).toBe(400);
    // The detector works: the fakes did see the tokens, in the clear, as real platforms do.
    expect(leaksIn(JSON.stringify(stack.slack.requests), [alice.slackToken, rejectedSlack])).toHaveLength(2);
    // Bob's stored connections were not touched by the rejected attempts.
    const bobs = await stack.api.get('/api/v1/config/platforms', bob.jwt);
    expect(bobs.body.map((c: { platform: string; state: string }) => [c.platform, c.state])).toEqual([
      ['github', 'active'],
      ['slack', 'active'],
    ]);
  });

  it('binds each ciphertext to its user and platform: a copied one is refused, not used', async () => {
    const key = Buffer.from(E2E.encryptionKey, 'base64');
    const cipher = new TokenCipher([{ id: keyIdOf(key), key }]);
    const { rows } = await stack.db.query(
      `SELECT user_id, platform, token_ciphertext, token_key_id FROM platform_configs WHERE user_id = ANY($1) ORDER BY user_id, platform`,
      [[...userIds.values()]],
    );
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      expect(row.token_key_id).toBe(keyIdOf(key));
      const owner = [alice, bob, carol].find((u) => userIds.get(u.subject) === row.user_id)!;
      const expected = row.platform === 'github' ? owner.githubToken : owner.slackToken;
      expect(cipher.decrypt({ ciphertext: row.token_ciphertext, keyId: row.token_key_id }, `${row.user_id}/${row.platform}`)).toBe(expected);
      // Same bytes, other row: authentication fails.
      const otherUser = [...userIds.values()].find((id) => id !== row.user_id)!;
      expect(() => cipher.decrypt({ ciphertext: row.token_ciphertext, keyId: row.token_key_id }, `${otherUser}/${row.platform}`)).toThrow();
      const otherPlatform = row.platform === 'github' ? 'slack' : 'github';
      expect(() => cipher.decrypt({ ciphertext: row.token_ciphertext, keyId: row.token_key_id }, `${row.user_id}/${otherPlatform}`)).toThrow();
    }

    // Someone with database access copies Alice's Slack ciphertext onto Bob's Slack row.
    const [aliceId, bobId] = [userIds.get(alice.subject)!, userIds.get(bob.subject)!];
    const copied = await stack.db.query(
      `UPDATE platform_configs AS bob SET token_ciphertext = alice.token_ciphertext, token_key_id = alice.token_key_id
       FROM platform_configs AS alice
       WHERE bob.user_id = $2 AND bob.platform = 'slack' AND alice.user_id = $1 AND alice.platform = 'slack'`,
      [aliceId, bobId],
    );
    expect(copied.rowCount).toBe(1);
    const aliceCallsBefore = stack.slack.requests.filter((r) => r.token === alice.slackToken).length;
    const aliceProfile = stack.slack.profileOf(alice.slackUserId);

    const outcome = await postAndSettle(bob, '/api/v1/status/update', { message: 'As Alice?', platforms: ['slack'] });
    expect(outcome.platforms.slack).toMatchObject({ state: 'failed', attempts: 1, errorCode: 'token_undecryptable' });
    expect(stack.slack.requests.filter((r) => r.token === alice.slackToken)).toHaveLength(aliceCallsBefore);
    expect(stack.slack.profileOf(alice.slackUserId)).toEqual(aliceProfile);
    const listed = await stack.api.get('/api/v1/config/platforms', bob.jwt);
    expect(listed.body.find((c: { platform: string }) => c.platform === 'slack')).toMatchObject({ state: 'reauth_required' });
  });

  it('stores no token in the database, in plain text or inside a ciphertext', async () => {
    const secrets = [...tokens, ...jwts];
    const { rows: tables } = await stack.db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
      [E2E.schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['platform_configs', 'status_updates', 'sync_logs', 'users']));
    let dumped = '';
    for (const { table_name: table } of tables) {
      const { rows } = await stack.db.query(`SELECT row_to_json(t)::text AS row FROM "${E2E.schema}"."${table}" t`);
      dumped += rows.map((r) => r.row).join('\n');
    }
    // The dump is real: it holds the flow's users and their error codes.
    expect(dumped).toContain(alice.subject);
    expect(dumped).toContain('token_undecryptable');
    expect(leaksIn(dumped, secrets)).toEqual([]);

    // Raw bytes of every bytea column: the ciphertext must not carry the token bytes either.
    const { rows: byteaColumns } = await stack.db.query(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1 AND data_type = 'bytea'`,
      [E2E.schema],
    );
    expect(byteaColumns).toContainEqual({ table_name: 'platform_configs', column_name: 'token_ciphertext' });
    let blobs = 0;
    for (const { table_name: table, column_name: column } of byteaColumns) {
      const { rows } = await stack.db.query(`SELECT "${column}" AS value FROM "${E2E.schema}"."${table}" WHERE "${column}" IS NOT NULL`);
      for (const { value } of rows as { value: Buffer }[]) {
        blobs++;
        for (const secret of secrets) expect(value.includes(Buffer.from(secret))).toBe(false);
      }
    }
    expect(blobs).toBeGreaterThanOrEqual(6);

    const dump = spawnSync('pg_dump', ['--data-only', `--schema=${E2E.schema}`, E2E.databaseUrl], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if ((dump.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return; // no pg_dump here: the SQL dump above has to do
    expect(dump.status).toBe(0);
    expect(dump.stdout).toContain(alice.subject);
    expect(leaksIn(dump.stdout, secrets)).toEqual([]);
  });

  it('returns no token in any API answer', async () => {
    for (const user of [alice, bob, carol]) {
      const listed = await stack.api.get('/api/v1/config/platforms', user.jwt);
      expect(listed.status).toBe(200);
      expect(listed.body.length).toBe(2);
      for (const config of listed.body) expect(Object.keys(config).sort()).toEqual(['accountName', 'connectedAt', 'platform', 'reauthReason', 'state', 'updatedAt']);
      expect(leaksIn(listed.text, tokens)).toEqual([]);
    }
    expect(RESPONSES_SEEN.length).toBeGreaterThan(20);
    expect(RESPONSES_SEEN.filter((body) => leaksIn(body, [...tokens, ...jwts]).length > 0)).toEqual([]);
  });

  it('puts no token in Redis (job data, events, anything under the queue prefix)', async () => {
    const redis = new Redis(E2E.redisUrl);
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${stack.queuePrefix}:*`, 'COUNT', 1000);
        keys.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      let everything = '';
      let jobHashes = 0;
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'hash') {
          const hash = await redis.hgetall(key);
          if (hash.data) jobHashes++;
          everything += `${key} ${JSON.stringify(hash)}\n`;
        } else if (type === 'string') everything += `${key} ${await redis.get(key)}\n`;
        else if (type === 'list') everything += `${key} ${(await redis.lrange(key, 0, -1)).join(' ')}\n`;
        else if (type === 'set') everything += `${key} ${(await redis.smembers(key)).join(' ')}\n`;
        else if (type === 'zset') everything += `${key} ${(await redis.zrange(key, 0, -1)).join(' ')}\n`;
        else if (type === 'stream') everything += `${key} ${JSON.stringify(await redis.xrange(key, '-', '+'))}\n`;
      }
      // The scan found the jobs of the flow (one per update and platform), with their data and failure reasons.
      expect(jobHashes).toBeGreaterThanOrEqual(11);
      expect(everything).toContain(userIds.get(alice.subject));
      expect(everything).toContain('token_revoked');
      expect(leaksIn(everything, [...tokens, ...jwts])).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('writes no token and no JWT to any service log', async () => {
    // Stopped first, so every buffered log line is on disk.
    for (const service of Object.values(stack.services)) expect(await service.stop()).toEqual({ code: 0, signal: null });
    const gatewayLog = stack.services['api-gateway'].logs();
    const workerLog = stack.services['sync-worker'].logs();
    // The logs are real: requests, outcomes and failures were logged.
    expect(gatewayLog).toContain('/api/v1/config/platforms');
    expect(gatewayLog).toContain('platform connected');
    expect(workerLog).toContain('status sync finished');
    expect(workerLog).toContain('token_revoked');
    for (const service of Object.values(stack.services)) {
      expect({ service: service.name, leaks: leaksIn(service.logs(), [...tokens, ...jwts]) }).toEqual({ service: service.name, leaks: [] });
      expect({ service: service.name, leaks: leaksIn(service.stderrText, [...tokens, ...jwts]) }).toEqual({ service: service.name, leaks: [] });
    }
  });
});

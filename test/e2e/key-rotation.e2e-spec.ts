import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { keyIdOf } from '../../libs/core/src/crypto/key-id';
import { TokenCipher } from '../../libs/core/src/crypto/token-cipher';
import { ApiClient } from '../support/api-client';
import { ServiceProcess } from '../support/services';
import { newUser, settled, startStack, TestStack, TestUser } from '../support/stack';

const OLD_KEY = randomBytes(32).toString('base64');
const NEW_KEY = randomBytes(32).toString('base64');
const keyId = (key: string) => keyIdOf(Buffer.from(key, 'base64'));

describe('token encryption key rotation (npm run keys:rotate)', () => {
  let stack: TestStack;
  let users: TestUser[];
  const started: ServiceProcess[] = [];

  /** Runs the built rotation command with the stack's environment plus `env`. */
  const rotate = (env: Record<string, string>) =>
    spawnSync(process.execPath, [join(__dirname, '../../dist/scripts/rotate-keys.js')], {
      env: { ...process.env, ...stack.env, TOKEN_ENCRYPTION_KEY: '', ...env },
      encoding: 'utf8',
    });

  const keyIdsInUse = async () =>
    (
      await stack.db.query(
        `SELECT DISTINCT token_key_id FROM platform_configs`,
      )
    ).rows.map((row: { token_key_id: string }) => row.token_key_id);

  /** Replaces the running gateway and worker with ones configured by `env`. */
  async function restartServices(env: Record<string, string>) {
    await Promise.all([...Object.values(stack.services), ...started.splice(0)].map((service) => service.stop()));
    const gateway = await stack.startService('api-gateway', env);
    started.push(gateway, await stack.startService('sync-worker', env));
    stack.api = new ApiClient(gateway.url);
  }

  const updateSucceeds = async (user: TestUser, message: string) => {
    const answer = await stack.api.post('/api/v1/status/update', user.jwt, { message });
    expect(answer.status).toBe(202);
    expect((await settled(stack, user, answer.body.id)).state).toBe('succeeded');
  };

  beforeAll(async () => {
    // Rotation re-encrypts every row it can see, so it gets a schema of its own, not the run's shared one.
    stack = await startStack('rotation', { ownSchema: true, env: { TOKEN_ENCRYPTION_KEY: OLD_KEY } });
    users = [await newUser(stack), await newUser(stack), await newUser(stack)];
  }, 90_000);

  afterAll(async () => {
    await Promise.all(started.map((service) => service.stop()));
    await stack?.stop();
  });

  it('re-encrypts every token with the newest key while the services keep working, and is resumable', async () => {
    expect(await keyIdsInUse()).toEqual([keyId(OLD_KEY)]);
    // A refresh token (as an OAuth connection with token rotation stores it), sealed with the old key.
    const oldCipher = new TokenCipher([{ id: keyId(OLD_KEY), key: Buffer.from(OLD_KEY, 'base64') }]);
    const [{ id: slackRow, user_id: slackUser }] = (
      await stack.db.query(`SELECT id, user_id FROM platform_configs WHERE platform = 'slack' LIMIT 1`)
    ).rows;
    const refresh = oldCipher.encrypt('xoxe-refresh-secret', `${slackUser}/slack/refresh`);
    await stack.db.query(`UPDATE platform_configs SET refresh_token_ciphertext = $2, refresh_token_key_id = $3 WHERE id = $1`, [slackRow, refresh.ciphertext, refresh.keyId]);
    // A calendar feed URL (a capability), sealed to its user and calendar with the old key.
    const calendarId = '0ca1e4d0-0000-4000-8000-000000000001';
    const feed = oldCipher.encrypt('https://calendar.example.com/ical/secret/basic.ics', `${slackUser}/calendar:${calendarId}`);
    await stack.db.query(`INSERT INTO calendar_connections (id, user_id, type, url_ciphertext, url_key_id) VALUES ($1, $2, 'ics', $3, $4)`, [calendarId, slackUser, feed.ciphertext, feed.keyId]);
    // A webhook mid-rotation: its signing secret and the previous one, each sealed to its row and slot.
    const webhookId = '0ca1e4d0-0000-4000-8000-0000000000e1';
    const current = oldCipher.encrypt('whsec_current', `${slackUser}/webhook:${webhookId}`);
    const previous = oldCipher.encrypt('whsec_previous', `${slackUser}/webhook:${webhookId}:previous`);
    await stack.db.query(
      `INSERT INTO webhooks (id, user_id, scope, url, events, secret_ciphertext, secret_key_id, previous_secret_ciphertext, previous_secret_key_id, previous_secret_expires_at)
       VALUES ($1, $2, 'personal', 'https://hooks.example.com/x', '{status.changed}', $3, $4, $5, $6, now() + interval '1 day')`,
      [webhookId, slackUser, current.ciphertext, current.keyId, previous.ciphertext, previous.keyId],
    );
    const both = { TOKEN_ENCRYPTION_KEY: '', TOKEN_ENCRYPTION_KEYS: `${NEW_KEY},${OLD_KEY}` };
    await restartServices(both);
    await updateSucceeds(users[0], 'before rotation');

    // Rotate while updates are flowing.
    const traffic = Promise.all(users.map((user, i) => updateSucceeds(user, `during rotation ${i}`)));
    const run = rotate(both);
    await traffic;
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^rotated \d+ secret\(s\) to key /);
    expect(await keyIdsInUse()).toEqual([keyId(NEW_KEY)]);
    const [sealed] = (await stack.db.query(`SELECT refresh_token_ciphertext AS c, refresh_token_key_id AS k FROM platform_configs WHERE id = $1`, [slackRow])).rows;
    expect(sealed.k).toBe(keyId(NEW_KEY));
    const newCipher = new TokenCipher([{ id: keyId(NEW_KEY), key: Buffer.from(NEW_KEY, 'base64') }]);
    expect(newCipher.decrypt({ ciphertext: sealed.c, keyId: sealed.k }, `${slackUser}/slack/refresh`)).toBe('xoxe-refresh-secret');
    const [url] = (await stack.db.query(`SELECT url_ciphertext AS c, url_key_id AS k FROM calendar_connections WHERE id = $1`, [calendarId])).rows;
    expect(newCipher.decrypt({ ciphertext: url.c, keyId: url.k }, `${slackUser}/calendar:${calendarId}`)).toBe('https://calendar.example.com/ical/secret/basic.ics');
    const [hook] = (
      await stack.db.query(`SELECT secret_ciphertext AS c, secret_key_id AS k, previous_secret_ciphertext AS pc, previous_secret_key_id AS pk FROM webhooks WHERE id = $1`, [webhookId])
    ).rows;
    expect(newCipher.decrypt({ ciphertext: hook.c, keyId: hook.k }, `${slackUser}/webhook:${webhookId}`)).toBe('whsec_current');
    expect(newCipher.decrypt({ ciphertext: hook.pc, keyId: hook.pk }, `${slackUser}/webhook:${webhookId}:previous`)).toBe('whsec_previous');

    const again = rotate(both);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^rotated 0 secret\(s\)/);

    const audit = await stack.db.query(`SELECT details FROM audit_events WHERE event = 'keys.rotated' ORDER BY id DESC LIMIT 1`);
    expect(audit.rows[0].details).toMatchObject({ toKeyId: keyId(NEW_KEY), rotated: 0 });
  }, 60_000);

  it('works with the old key removed afterwards', async () => {
    await restartServices({ TOKEN_ENCRYPTION_KEY: NEW_KEY });
    for (const user of users) await updateSucceeds(user, 'after the old key is gone');
  }, 60_000);

  it('reports rows sealed with a key that is no longer configured, and exits non-zero', async () => {
    const run = rotate({ TOKEN_ENCRYPTION_KEYS: randomBytes(32).toString('base64') });
    expect(run.status).toBe(2);
    // Every token (two per user), the one refresh token, the one calendar feed URL and the webhook's two secrets.
    expect(run.stdout).toMatch(new RegExp(`; ${users.length * 2 + 4} sealed with an unconfigured key`));
  }, 60_000);
});

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { keyIdOf } from '../../libs/core/src/crypto/key-id';
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
        `SELECT DISTINCT token_key_id FROM platform_configs WHERE user_id IN (SELECT id FROM users WHERE subject = ANY($1))`,
        [users.map((u) => u.subject)],
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
    stack = await startStack('rotation', { env: { TOKEN_ENCRYPTION_KEY: OLD_KEY } });
    users = [await newUser(stack), await newUser(stack), await newUser(stack)];
  }, 90_000);

  afterAll(async () => {
    await Promise.all(started.map((service) => service.stop()));
    await stack?.stop();
  });

  it('re-encrypts every token with the newest key while the services keep working, and is resumable', async () => {
    expect(await keyIdsInUse()).toEqual([keyId(OLD_KEY)]);
    const both = { TOKEN_ENCRYPTION_KEY: '', TOKEN_ENCRYPTION_KEYS: `${NEW_KEY},${OLD_KEY}` };
    await restartServices(both);
    await updateSucceeds(users[0], 'before rotation');

    // Rotate while updates are flowing.
    const traffic = Promise.all(users.map((user, i) => updateSucceeds(user, `during rotation ${i}`)));
    const run = rotate(both);
    await traffic;
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^rotated \d+ token\(s\) to key /);
    expect(await keyIdsInUse()).toEqual([keyId(NEW_KEY)]);

    const again = rotate(both);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^rotated 0 token\(s\)/);

    const audit = await stack.db.query(`SELECT details FROM audit_events WHERE event = 'keys.rotated' ORDER BY id DESC LIMIT 1`);
    expect(audit.rows[0].details).toMatchObject({ toKeyId: keyId(NEW_KEY), rotated: 0 });
  });

  it('works with the old key removed afterwards', async () => {
    await restartServices({ TOKEN_ENCRYPTION_KEY: NEW_KEY });
    for (const user of users) await updateSucceeds(user, 'after the old key is gone');
  });

  it('reports rows sealed with a key that is no longer configured, and exits non-zero', async () => {
    const run = rotate({ TOKEN_ENCRYPTION_KEYS: randomBytes(32).toString('base64') });
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/[1-9]\d* sealed with an unconfigured key/);
  });
});

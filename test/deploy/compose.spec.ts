import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const APP_SECRETS = ['JWT_SECRET', 'TOKEN_ENCRYPTION_KEY', 'BULL_BOARD_PASSWORD', 'POSTGRES_PASSWORD'];

/**
 * docker-compose.yml is validated without a Docker daemon: `docker-compose config` (Debian's docker-compose
 * package; .ci/run installs it) parses, interpolates and checks the file against the Compose schema.
 */
async function composeConfig(env: Record<string, string>, ...args: string[]) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !APP_SECRETS.includes(name)));
  try {
    const { stdout } = await run('docker-compose', ['-f', join(ROOT, 'docker-compose.yml'), 'config', ...args], { env: { ...clean, ...env } });
    return { ok: true, stdout, stderr: '' };
  } catch (error) {
    const failed = error as NodeJS.ErrnoException & { stderr?: string };
    if (failed.code === 'ENOENT') throw new Error('docker-compose is not installed (apt-get install docker-compose): it validates docker-compose.yml');
    return { ok: false, stdout: '', stderr: failed.stderr ?? String(error) };
  }
}

describe('docker-compose.yml', () => {
  // docker-compose is a Python program: a few seconds per run on a busy machine.
  jest.setTimeout(30_000);

  it('is valid without the app secrets, so `docker compose up -d postgres redis` works as the README says', async () => {
    const config = await composeConfig({}, '-q');
    expect(config).toEqual({ ok: true, stdout: '', stderr: '' });
    expect((await composeConfig({}, '--services')).stdout.split('\n')).toEqual(expect.arrayContaining(['postgres', 'redis']));
  });

  it('is valid with the app secrets, and hands them to the services', async () => {
    const config = await composeConfig({ JWT_SECRET: 's'.repeat(40), TOKEN_ENCRYPTION_KEY: 'k'.repeat(44), BULL_BOARD_PASSWORD: 'board' });
    expect(config.ok).toBe(true);
    expect(config.stdout).toContain(`JWT_SECRET: ${'s'.repeat(40)}`);
    expect(config.stdout).toContain('NODE_ENV: production');
  });
});

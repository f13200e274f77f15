import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const APP_SECRETS = ['JWT_SECRET', 'TOKEN_ENCRYPTION_KEY', 'BULL_BOARD_PASSWORD', 'POSTGRES_PASSWORD', 'APP_DATABASE_PASSWORD', 'METRICS_TOKEN'];
const SERVICES = ['api-gateway', 'sync-worker', 'scheduler', 'calendar-poller'];

interface ComposeService {
  environment?: Record<string, string>;
  stop_grace_period?: string;
}

const userOf = (url: string) => decodeURIComponent(new URL(url).username);

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

  it('runs migrations as the owner and the four services as statusync_app (hardened roles, docs/security.md)', async () => {
    const config = await composeConfig({ POSTGRES_PASSWORD: 'owner-secret', APP_DATABASE_PASSWORD: 'app-secret-123', METRICS_TOKEN: 'm'.repeat(24) });
    expect(config.ok).toBe(true);
    const services = parse(config.stdout).services as Record<string, ComposeService>;
    for (const name of SERVICES) {
      const env = services[name].environment ?? {};
      expect({ name, user: userOf(env.DATABASE_URL), role: env.DATABASE_ROLE }).toEqual({ name, user: 'statusync_app', role: 'statusync_app' });
      expect(new URL(env.DATABASE_URL).password).toBe('app-secret-123');
      // Never the owner's credentials: a compromised service cannot alter tables or turn RLS off.
      expect(JSON.stringify(env)).not.toContain('owner-secret');
      expect(env.METRICS_TOKEN).toBe('m'.repeat(24));
    }
    // Each service's own shutdown deadline (SHUTDOWN_TIMEOUT_SECONDS, 25 s by default) ends before Compose's SIGKILL.
    expect(Object.fromEntries(SERVICES.map((name) => [name, services[name].stop_grace_period]))).toEqual(Object.fromEntries(SERVICES.map((name) => [name, '30s'])));
    const migrate = services.migrate.environment ?? {};
    expect(userOf(migrate.MIGRATION_DATABASE_URL)).toBe('statusync');
    expect(new URL(migrate.MIGRATION_DATABASE_URL).password).toBe('owner-secret');
    expect(migrate.APP_DATABASE_PASSWORD).toBe('app-secret-123');
    expect(userOf(migrate.DATABASE_URL)).toBe('statusync_app');
  }, 30_000);
});

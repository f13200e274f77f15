import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/** `npm run token` as the README uses it: the built script, with the same environment the services get. */
async function token(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'dist/scripts/token.js'), ...args], {
      env: { ...process.env, JWT_SECRET: 'x'.repeat(40), TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run token', () => {
  // Each case starts Node and loads the config: seconds on a busy machine.
  jest.setTimeout(30_000);

  it('prints a JWT for the user named', async () => {
    const answer = await token('alice', '--org', 'acme', '--role', 'admin');
    expect(answer.code).toBe(0);
    const [, payload] = answer.stdout.trim().split('.');
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({ sub: 'alice', org_id: 'acme', role: 'admin' });
  });

  it.each([
    [[], 'missing <user>'],
    [['alice', '--role', 'boss'], '--role must be member or admin'],
    [['alice', '--ttl', 'soon'], '--ttl must be a whole number'],
    [['alice', '--colour', 'red'], "Unknown option '--colour'"],
    [['alice', 'bob'], 'unexpected argument: bob'],
  ])('%j: prints the problem and the usage, exit code 2, no stack trace', async (args, problem) => {
    const answer = await token(...args);
    expect(answer.code).toBe(2);
    expect(answer.stdout).toBe('');
    expect(answer.stderr).toContain(problem);
    expect(answer.stderr).toContain('usage: npm run token -- <user>');
    expect(answer.stderr).not.toMatch(/^\s+at /m);
  });

  it('--help prints the usage on stdout', async () => {
    const answer = await token('--help');
    expect(answer.code).toBe(0);
    expect(answer.stdout).toContain('usage: npm run token');
  });
});

import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { freshHome, jsonOf, runCli, spawnCli } from '../support/cli-runner';
import { newOrgUser } from '../support/org-users';
import { newUser, startStack, TestStack, TestUser } from '../support/stack';
import { waitFor } from '../support/wait-for';

jest.setTimeout(120_000);

/** The `statusync` CLI (packages/cli), spawned with its own HOME against the real gateway and worker. */
describe('statusync CLI end to end', () => {
  let stack: TestStack;
  let user: TestUser;
  let home: Record<string, string>;
  let url: string;
  const cli = (...args: string[]) => runCli(args, home);

  beforeAll(async () => {
    stack = await startStack('cli');
    url = stack.services['api-gateway'].url;
    user = await newUser(stack);
    home = freshHome();
  });
  afterAll(() => stack?.stop());

  it('refuses to work before login (exit 3), and refuses a bad token without saving it', async () => {
    const notLoggedIn = await cli('status');
    expect([notLoggedIn.code, notLoggedIn.stderr]).toEqual([3, expect.stringContaining('Not logged in')]);
    const refused = await cli('login', '--url', url, '--token', 'not-a-jwt');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^statusync: .+log in again/);
    expect((await cli('status')).code).toBe(3);
  });

  it('logs in: the URL and token are saved in the config dir, readable by the owner only', async () => {
    const login = await cli('login', '--url', url, '--token', user.jwt);
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`as ${user.subject}`);
    const file = join(home.XDG_CONFIG_HOME, 'statusync', 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ apiUrl: url, token: user.jwt });
  });

  it('busy 45m: waits until every platform answered, then shows each', async () => {
    const run = await cli('busy', '45m');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Busy for 45 min: succeeded/);
    expect(run.stdout).toMatch(/✓ github +succeeded/);
    expect(run.stdout).toMatch(/✓ slack +succeeded/);
    const current = (await stack.api.get('/api/v1/status/current', user.jwt)).body;
    expect(current.requested.preset).toBe('busy');
    expect(Math.abs(Date.parse(current.requested.expiresAt) - Date.parse(current.requested.requestedAt) - 45 * 60_000)).toBeLessThan(1_000);
  });

  it('set ":coffee:" "Taking a break" --for 15m --only slack --json: one JSON document, Slack only', async () => {
    const run = await cli('--json', 'set', ':coffee:', 'Taking a break', '--for', '15m', '--only', 'slack');
    expect(run.code).toBe(0);
    const update = jsonOf(run);
    expect([update.state, update.emoji, update.message, Object.keys(update.platforms)]).toEqual(['succeeded', ':coffee:', 'Taking a break', ['slack']]);
    expect(stack.slack.profileOf(user.slackUserId)).toMatchObject({ status_text: 'Taking a break', status_emoji: ':coffee:' });
  });

  it('says clearly what is wrong: a bad duration (exit 2), a field the API refuses (exit 1)', async () => {
    const badDuration = await cli('set', ':coffee:', 'x', '--for', '15 parsecs');
    expect([badDuration.code, badDuration.stderr]).toEqual([2, expect.stringContaining('is not a duration')]);
    const tooLong = await cli('set', ':coffee:', 'x'.repeat(500));
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/message: message must be shorter/);
    const unknownCommand = await cli('sing');
    expect(unknownCommand.code).toBe(2);
  });

  it('status, history, templates ls|apply and clear', async () => {
    const status = await cli('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/Requested: :coffee: Taking a break/);
    expect(status.stdout).toMatch(/PLATFORM +ACCOUNT/);
    const history = jsonOf(await cli('--json', 'history', '-n', '3'));
    expect(history.map((u: { message: string }) => u.message)).toEqual(['Taking a break', 'Busy, focusing', expect.anything()].slice(0, history.length));
    const templates = await cli('templates', 'ls');
    expect(templates.stdout).toMatch(/^lunch +builtin/m);
    const lunch = await cli('templates', 'apply', 'lunch');
    expect([lunch.code, lunch.stdout]).toEqual([0, expect.stringContaining('Applied "lunch": succeeded')]);
    const cleared = await cli('clear');
    expect([cleared.code, cleared.stdout]).toEqual([0, expect.stringContaining('Cleared: succeeded')]);
  });

  it('exits 4 when a platform fails the update', async () => {
    const other = await newUser(stack);
    const otherHome = freshHome();
    expect((await runCli(['login', '--url', url, '--token', other.jwt], otherHome)).code).toBe(0);
    stack.slack.revokeToken(other.slackToken);
    const run = await runCli(['set', ':coffee:', 'Coffee'], otherHome);
    expect(run.code).toBe(4);
    expect(run.stdout).toMatch(/✗ slack +failed \(token_revoked/);
    expect(run.stderr).toContain('Not applied everywhere (partially failed)');
  });

  it("team NAME prints the team's availability table", async () => {
    const org = `org-${randomBytes(3).toString('hex')}`;
    const admin = await newOrgUser(stack, org, 'admin');
    const member = await newOrgUser(stack, org, 'member');
    const team = (await stack.api.post('/api/v1/teams', admin.jwt, { name: 'Platform' })).body;
    await stack.api.request('PUT', `/api/v1/teams/${team.id}/members/${encodeURIComponent(member.subject)}`, { token: admin.jwt });
    const adminHome = freshHome();
    await runCli(['login', '--url', url, '--token', admin.jwt], adminHome);
    const run = await runCli(['team', 'platform'], adminHome);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Platform \(1 members\)/);
    expect(run.stdout).toMatch(new RegExp(`^${member.subject} +\\w+`, 'm'));
    const missing = await runCli(['team', 'nope'], adminHome);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('No team named "nope"')]);
  });

  it('watch --json prints each live event as one JSON line, and stops on SIGINT', async () => {
    const watch = spawnCli(['--json', 'watch'], home);
    const exited = new Promise<number | null>((resolve) => watch.on('close', resolve));
    const seen = await waitFor(async () => {
      const accepted = await stack.api.post('/api/v1/status/update', user.jwt, { message: 'Watched' });
      return waitFor(() => watch.output.stdout.includes(accepted.body.id) && watch.output.stdout.includes('"delivery"'), 'a delivery line', 5_000).catch(() => undefined);
    }, 'watch to show an update', 30_000);
    expect(seen).toBe(true);
    const lines = watch.output.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.some((line) => line.event === 'delivery' && line.data.state === 'succeeded')).toBe(true);
    watch.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});

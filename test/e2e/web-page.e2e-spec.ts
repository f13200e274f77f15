import { randomBytes } from 'node:crypto';
import { explainFailure, launchBrowser, TestBrowser } from '../support/browser';
import { newOrgUser } from '../support/org-users';
import { startStack, TestStack, TestUser } from '../support/stack';
import { waitFor } from '../support/wait-for';

describe('web page /app in a real browser', () => {
  let stack: TestStack;
  let browser: TestBrowser;
  let org: string;
  let alice: TestUser, bob: TestUser;

  beforeAll(async () => {
    stack = await startStack('webpage');
    org = `org-${randomBytes(3).toString('hex')}`;
    let admin: TestUser;
    [admin, alice, bob] = await Promise.all([newOrgUser(stack, org, 'admin', []), newOrgUser(stack, org, 'member'), newOrgUser(stack, org, 'member')]);
    const team = await stack.api.post('/api/v1/teams', admin.jwt, { name: 'Web' });
    for (const user of [alice, bob]) await stack.api.request('PUT', `/api/v1/teams/${team.body.id}/members/${encodeURIComponent(user.subject)}`, { token: admin.jwt });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('is served with a strict policy of its own: scripts and requests from this origin only', async () => {
    const page = await fetch(`${stack.api.baseUrl}/app/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("default-src 'none'");
    expect(policy).not.toContain('unsafe-inline');
    const html = await page.text();
    expect(html).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=/i);
    const bare = await fetch(`${stack.api.baseUrl}/app`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([302, '/app/']);
    const script = await fetch(`${stack.api.baseUrl}/app/main.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.headers.get('content-security-policy')).toBe(policy);
    // Not a file of the page: the API's ordinary 404 problem, under the API's policy.
    const missing = await fetch(`${stack.api.baseUrl}/app/nothing.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('signs in as a picked user, applies a preset with one click, shows each outcome and a teammate\'s change live', async () => {
    const { page, problems } = browser;
    await explainFailure(browser, async () => {
      await page.goto(`${stack.api.baseUrl}/app`);
      await page.getByLabel('Subject').fill(alice.subject);
      await page.getByLabel('Organisation (optional)').fill(org);
      await page.getByRole('button', { name: 'Sign in as this user' }).click();
      await page.getByText(`Signed in as ${alice.subject} of ${org}.`).waitFor();
      // Marks this document: a reload would lose it.
      await page.evaluate('window.noReload = true');

      await page.locator('#own-stream-state[data-stream-state="open"]').waitFor();
      // The page calls the API through the SDK, whose writes carry an Idempotency-Key.
      const presetRequest = page.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith('/api/v1/status/presets/busy'));
      await page.getByRole('button', { name: 'busy', exact: true }).click();
      expect((await presetRequest).headers()['idempotency-key']).toMatch(/.{16,}/);
      await waitFor(() => stack.github.statusOf(alice.githubLogin)?.message === 'Busy, focusing', 'GitHub to receive the preset');
      await waitFor(() => stack.slack.profileOf(alice.slackUserId).status_text === 'Busy, focusing', 'Slack to receive the preset');
      for (const platform of ['github', 'slack']) await page.locator(`#outcomes li[data-event="delivery"][data-platform="${platform}"][data-state="succeeded"]`).waitFor();
      await page.locator('#platforms-table tr[data-platform="slack"] td.state-succeeded').waitFor();
      await page.locator('#platforms-table tr[data-platform="github"] td.state-succeeded').waitFor();
      expect(await page.locator('#status-summary').textContent()).toContain('Busy, focusing');

      // Bob, in the same team, changes his status through the API; the page shows it without reloading.
      const team = page.locator('section[data-team]');
      await team.locator('[data-stream-state="open"]').waitFor();
      const bobRow = team.locator(`tr[data-subject="${bob.subject}"]`);
      expect(await bobRow.textContent()).not.toContain('Out for lunch');
      expect((await stack.api.post('/api/v1/status/presets/lunch', bob.jwt, {})).status).toBe(202);
      await bobRow.getByText('Out for lunch', { exact: false }).first().waitFor();
      await bobRow.locator('td.agree-yes').waitFor();
      expect(await bobRow.locator('td.availability').textContent()).toBe('available');
      expect(await page.evaluate('window.noReload')).toBe(true);
    });
    expect(problems).toEqual([]);
  }, 60_000);

  it('enforces its policy in the browser, and the test would see a violation (the check above is not blind)', async () => {
    const { page, problems } = browser;
    const before = problems.length;
    // An inline script and a foreign image: both refused by the policy, each reported.
    await page.evaluate(`document.body.append(Object.assign(document.createElement('script'), { textContent: 'window.inlineRan = true' }))`);
    await page.evaluate(`document.body.append(Object.assign(document.createElement('img'), { src: 'https://example.invalid/x.png' }))`);
    await waitFor(() => problems.slice(before).filter((problem) => problem.includes('CSP violation')).length >= 2, 'both violations to be reported', 10_000);
    expect(await page.evaluate('window.inlineRan')).toBeUndefined();
  }, 30_000);
});

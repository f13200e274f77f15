import { randomBytes } from 'node:crypto';
import { createStatusyncClient, StatusyncError } from '@statusync/sdk';
import { Webhook } from 'standardwebhooks';
import { ApiClient, RESPONSES_SEEN } from '../support/api-client';
import { newOrgUser } from '../support/org-users';
import { newUser, startStack, TestStack, TestUser } from '../support/stack';
import { waitFor } from '../support/wait-for';
import { ReceivedWebhook, WebhookReceiver } from '../support/webhook-receiver';

/** Compressed retry schedule: four attempts 300 ms apart (the real one spans three days). */
const SCHEDULE = '0,300,300,300';

const headersOf = (entry: ReceivedWebhook) => entry.headers as Record<string, string>;
const verify = (secret: string, entry: ReceivedWebhook) => new Webhook(secret).verify(entry.body, headersOf(entry)) as { type: string; timestamp: string; data: any };

/**
 * Outgoing webhooks end to end: the built gateway and worker, a local receiver that verifies every request with the
 * Standard Webhooks library, and the retry/disable rules of docs/decisions.md §32.
 */
describe('outgoing webhooks', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let strict: ApiClient;
  const secretsSeen: string[] = [];

  const path = () => `/hooks/${randomBytes(4).toString('hex')}`;
  async function createHook(user: TestUser, hookPath: string, events: string[], extra: Record<string, unknown> = {}) {
    const answer = await stack.api.post('/api/v1/webhooks', user.jwt, { url: `${receiver.url}${hookPath}`, events, ...extra });
    expect(answer.status).toBe(201);
    secretsSeen.push(answer.body.secret);
    return answer.body as { id: string; secret: string; state: string; scope: string };
  }
  const deliveries = async (user: TestUser, id: string) => (await stack.api.get(`/api/v1/webhooks/${id}/deliveries`, user.jwt)).body.items as any[];
  const test = (user: TestUser, id: string) => stack.api.post(`/api/v1/webhooks/${id}/test`, user.jwt);

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    stack = await startStack('webhooks', { env: { ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: SCHEDULE } });
    // The same deployment without ALLOW_PRIVATE_URLS: the production setting for user-given URLs.
    strict = new ApiClient((await stack.startService('api-gateway', { ALLOW_PRIVATE_URLS: 'false' })).url);
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('delivers status.changed and sync.succeeded for an update, signed so the standardwebhooks library verifies them', async () => {
    const user = await newUser(stack);
    const hookPath = path();
    const hook = await createHook(user, hookPath, ['status.changed', 'sync.succeeded']);
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(hook.secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);

    const accepted = await stack.api.post('/api/v1/status/update', user.jwt, { emoji: ':palm_tree:', message: 'On holiday' });
    expect(accepted.status).toBe(202);
    const got = await waitFor(() => receiver.at(hookPath).length >= 3 && receiver.at(hookPath), 'three webhook requests', 20_000);
    const bodies = got.map((entry) => verify(hook.secret, entry));
    expect(bodies.map((body) => body.type).sort()).toEqual(['status.changed', 'sync.succeeded', 'sync.succeeded']);
    const status = bodies.find((body) => body.type === 'status.changed')!;
    expect(status.data).toEqual(expect.objectContaining({ updateId: accepted.body.id, subject: user.subject, emoji: ':palm_tree:', message: 'On holiday' }));
    expect(bodies.filter((body) => body.type === 'sync.succeeded').map((body) => body.data.platform).sort()).toEqual(['github', 'slack']);
    // A tampered body does not verify: the check above can fail.
    expect(() => new Webhook(hook.secret).verify(got[0].body.replace('}', ',"x":1}'), headersOf(got[0]))).toThrow();

    // Listed with their attempts; webhook-id is the delivery id.
    const listed = await waitFor(async () => {
      const items = await deliveries(user, hook.id);
      return items.length === 3 && items.every((item) => item.state === 'succeeded') && items;
    }, 'three succeeded deliveries');
    expect(listed.map((item) => item.id).sort()).toEqual(got.map((entry) => headersOf(entry)['webhook-id']).sort());
    for (const item of listed) {
      expect(item.attempts).toEqual([{ at: expect.any(String), status: 204, error: null, durationMs: expect.any(Number) }]);
      expect(item.nextAttemptAt).toBeNull();
    }
    // No event for one not subscribed to (sync.failed), and nothing more arrives for the same update.
    expect(receiver.at(hookPath)).toHaveLength(3);
  }, 60_000);

  it('retries a failing receiver on the schedule (same webhook-id) until it succeeds, listing every attempt', async () => {
    const user = await newUser(stack, []);
    const hookPath = path();
    receiver.answer(hookPath, (count) => ({ status: count < 3 ? 500 : 200 }));
    const hook = await createHook(user, hookPath, ['status.changed']);
    expect((await test(user, hook.id)).status).toBe(202);
    const done = await waitFor(async () => {
      const [item] = await deliveries(user, hook.id);
      return item?.state === 'succeeded' && item;
    }, 'the delivery to succeed on its third attempt');
    expect(done.eventType).toBe('webhook.test');
    expect(done.attempts.map((attempt: { status: number }) => attempt.status)).toEqual([500, 500, 200]);
    const got = receiver.at(hookPath);
    expect(new Set(got.map((entry) => headersOf(entry)['webhook-id']))).toEqual(new Set([done.id]));
    for (const entry of got) expect(verify(hook.secret, entry).type).toBe('webhook.test');
    // A success ends the failure streak.
    expect((await stack.api.get(`/api/v1/webhooks/${hook.id}`, user.jwt)).body.failingSince).toBeNull();
  }, 60_000);

  it('fails a delivery after the last attempt, shows the next retry while pending, and replays it on request', async () => {
    const user = await newUser(stack, []);
    const hookPath = path();
    receiver.answer(hookPath, () => ({ status: 503 }));
    const hook = await createHook(user, hookPath, ['status.changed']);
    await test(user, hook.id);
    const pending = await waitFor(async () => {
      const [item] = await deliveries(user, hook.id);
      return item?.state === 'pending' && item.attempts.length >= 1 && item.attempts.length < 4 && item;
    }, 'a pending delivery with a failed attempt');
    expect(pending.nextAttemptAt).toEqual(expect.any(String));
    const failed = await waitFor(async () => {
      const [item] = await deliveries(user, hook.id);
      return item?.state === 'failed' && item;
    }, 'the delivery to fail after four attempts');
    expect(failed.attempts.map((attempt: { status: number }) => attempt.status)).toEqual([503, 503, 503, 503]);
    expect((await stack.api.get(`/api/v1/webhooks/${hook.id}`, user.jwt)).body).toEqual(expect.objectContaining({ state: 'active', failingSince: expect.any(String) }));

    receiver.answer(hookPath, () => ({ status: 200 }));
    const replay = await stack.api.post(`/api/v1/webhooks/${hook.id}/deliveries/${failed.id}/replay`, user.jwt);
    expect(replay.status).toBe(202);
    const replayed = await waitFor(async () => {
      const [item] = await deliveries(user, hook.id);
      return item?.state === 'succeeded' && item;
    }, 'the replayed delivery to succeed');
    expect(replayed.replays).toBe(1);
    expect(replayed.attempts.map((attempt: { status: number }) => attempt.status)).toEqual([503, 503, 503, 503, 200]);
    const last = receiver.at(hookPath).at(-1)!;
    expect(headersOf(last)['webhook-id']).toBe(failed.id);
    expect(verify(hook.secret, last).type).toBe('webhook.test');
  }, 60_000);

  it('disables an endpoint that answers 410 and tells its owner; re-enabling it resumes deliveries', async () => {
    const user = await newUser(stack, []);
    const hookPath = path();
    receiver.answer(hookPath, () => ({ status: 410 }));
    const hook = await createHook(user, hookPath, ['status.changed']);
    await test(user, hook.id);
    const disabled = await waitFor(async () => {
      const body = (await stack.api.get(`/api/v1/webhooks/${hook.id}`, user.jwt)).body;
      return body.state === 'disabled' && body;
    }, 'the endpoint to be disabled');
    expect(disabled.disabledReason).toMatch(/410/);
    expect(disabled.disabledAt).toEqual(expect.any(String));
    const [item] = await deliveries(user, hook.id);
    expect(item).toEqual(expect.objectContaining({ state: 'disabled', attempts: [expect.objectContaining({ status: 410 })] }));
    expect(receiver.at(hookPath)).toHaveLength(1);
    const audit = await stack.db.query(`SELECT details FROM audit_events WHERE event = 'webhook.disabled' AND details->>'webhookId' = $1`, [hook.id]);
    expect(audit.rows).toHaveLength(1);
    // Disabled: no test ping, no replay.
    expect((await test(user, hook.id)).status).toBe(409);

    receiver.answer(hookPath, () => ({ status: 200 }));
    const enabled = await stack.api.request('PATCH', `/api/v1/webhooks/${hook.id}`, { token: user.jwt, body: { enabled: true } });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toEqual(expect.objectContaining({ state: 'active', disabledReason: null, disabledAt: null }));
    expect((await test(user, hook.id)).status).toBe(202);
    await waitFor(() => receiver.at(hookPath).length === 2, 'a delivery after re-enabling');
  }, 60_000);

  it('disables an endpoint that has failed continuously for longer than WEBHOOK_DISABLE_AFTER (5 days)', async () => {
    const user = await newUser(stack, []);
    const hookPath = path();
    receiver.answer(hookPath, () => ({ status: 500 }));
    const hook = await createHook(user, hookPath, ['status.changed']);
    // Its streak began six days ago (as if every delivery since had failed).
    await stack.db.query(`UPDATE webhooks SET failing_since = now() - interval '6 days' WHERE id = $1`, [hook.id]);
    await test(user, hook.id);
    const disabled = await waitFor(async () => {
      const body = (await stack.api.get(`/api/v1/webhooks/${hook.id}`, user.jwt)).body;
      return body.state === 'disabled' && body;
    }, 'the endpoint to be disabled');
    expect(disabled.disabledReason).toMatch(/failed since/);
    expect(receiver.at(hookPath)).toHaveLength(1);
  }, 60_000);

  it('does not follow redirects: a 3xx is a failed attempt and the target is never called', async () => {
    const user = await newUser(stack, []);
    const hookPath = path();
    const target = path();
    receiver.answer(hookPath, () => ({ status: 302, headers: { location: `${receiver.url}${target}` } }));
    const hook = await createHook(user, hookPath, ['status.changed']);
    await test(user, hook.id);
    const failed = await waitFor(async () => {
      const [item] = await deliveries(user, hook.id);
      return item?.state === 'failed' && item;
    }, 'the delivery to fail');
    expect(failed.attempts.map((attempt: { status: number; error: string }) => [attempt.status, attempt.error])).toEqual(
      Array(4).fill([302, 'redirect not followed']),
    );
    expect(receiver.at(target)).toHaveLength(0);
  }, 60_000);

  it('honours Retry-After on 429 over the shorter scheduled delay', async () => {
    const user = await newUser(stack, []);
    const hookPath = path();
    receiver.answer(hookPath, (count) => (count === 1 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }));
    const hook = await createHook(user, hookPath, ['status.changed']);
    await test(user, hook.id);
    await waitFor(() => receiver.at(hookPath).length === 2, 'the second attempt', 15_000);
    const [first, second] = receiver.at(hookPath);
    // The schedule alone would retry after 300 ms.
    expect(second.at - first.at).toBeGreaterThanOrEqual(2_000);
  }, 60_000);

  it('signs with both secrets for 24 hours after a rotation, and shows the new secret once', async () => {
    const user = await newUser(stack, []);
    const hookPath = path();
    const hook = await createHook(user, hookPath, ['status.changed']);
    const rotated = await stack.api.post(`/api/v1/webhooks/${hook.id}/rotate-secret`, user.jwt);
    expect(rotated.status).toBe(201);
    secretsSeen.push(rotated.body.secret);
    expect(rotated.body.secret).not.toBe(hook.secret);
    const expires = Date.parse(rotated.body.previousSecretExpiresAt);
    expect(expires - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    await test(user, hook.id);
    const [entry] = await waitFor(() => receiver.at(hookPath).length === 1 && receiver.at(hookPath), 'the ping');
    expect(headersOf(entry)['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verify(rotated.body.secret, entry).type).toBe('webhook.test');
    expect(verify(hook.secret, entry).type).toBe('webhook.test');
    expect(() => verify(`whsec_${randomBytes(32).toString('base64')}`, entry)).toThrow();

    // After the overlap only the new secret signs.
    await stack.db.query(`UPDATE webhooks SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`, [hook.id]);
    await test(user, hook.id);
    const later = await waitFor(() => receiver.at(hookPath).length === 2 && receiver.at(hookPath)[1], 'the second ping');
    expect(headersOf(later)['webhook-signature'].split(' ')).toHaveLength(1);
    expect(verify(rotated.body.secret, later).type).toBe('webhook.test');
    expect(() => verify(hook.secret, later)).toThrow();
  }, 60_000);

  it('refuses URLs on loopback or private addresses without ALLOW_PRIVATE_URLS, naming url', async () => {
    const user = await newUser(stack, []);
    for (const url of [`${receiver.url}/x`, 'http://10.0.0.8/hook', 'https://169.254.169.254/latest', 'http://[::1]:8080/'].map(String)) {
      const answer = await strict.post('/api/v1/webhooks', user.jwt, { url, events: ['status.changed'] });
      expect({ url, status: answer.status, fields: answer.body.errors?.map((e: { field: string }) => e.field) }).toEqual({ url, status: 400, fields: ['url'] });
    }
    expect((await strict.get('/api/v1/webhooks', user.jwt)).body).toEqual([]);
    // In production, plain http is refused too (before any name is resolved).
    const production = new ApiClient((await stack.startService('api-gateway', { NODE_ENV: 'production', ALLOW_PRIVATE_URLS: 'false' })).url);
    const insecure = await production.post('/api/v1/webhooks', user.jwt, { url: 'http://hooks.example.com/x', events: ['status.changed'] });
    expect([insecure.status, insecure.body.errors]).toEqual([400, [{ field: 'url', reason: expect.stringMatching(/https/) }]]);
  }, 60_000);

  it('refuses every invalid request with a 400 naming the field, changing nothing', async () => {
    const user = await newUser(stack, []);
    const url = `${receiver.url}/hooks/never`;
    const refusals: [unknown, string][] = [
      [{ url, events: ['status.changed', 'no.such_event'] }, 'events'],
      [{ url, events: [] }, 'events'],
      [{ url, events: 'status.changed' }, 'events'],
      [{ url, events: ['status.changed', 'status.changed'] }, 'events'],
      [{ url }, 'events'],
      [{ events: ['status.changed'] }, 'url'],
      [{ url: 'not a url', events: ['status.changed'] }, 'url'],
      [{ url: 'ftp://example.com/x', events: ['status.changed'] }, 'url'],
      [{ url: 'https://user:pw@example.com/x', events: ['status.changed'] }, 'url'],
      [{ url: `https://example.com/${'a'.repeat(2100)}`, events: ['status.changed'] }, 'url'],
      [{ url, events: ['status.changed'], scope: 'team' }, 'scope'],
      [{ url, events: ['status.changed'], description: 'x'.repeat(501) }, 'description'],
      [{ url, events: ['status.changed'], secret: 'whsec_mine' }, 'secret'],
    ];
    for (const [body, field] of refusals) {
      const answer = await stack.api.post('/api/v1/webhooks', user.jwt, body);
      expect({ body, status: answer.status, fields: [...new Set(answer.body.errors?.map((e: { field: string }) => e.field))] }).toEqual({ body, status: 400, fields: [field] });
    }
    // An org webhook without an org names scope.
    const orgless = await stack.api.post('/api/v1/webhooks', user.jwt, { url, events: ['status.changed'], scope: 'org' });
    expect([orgless.status, orgless.body.errors]).toEqual([400, [{ field: 'scope', reason: expect.any(String) }]]);
    expect((await stack.api.get('/api/v1/webhooks', user.jwt)).body).toEqual([]);

    const hook = await createHook(user, '/hooks/valid', ['status.changed']);
    const patch = (body: unknown) => stack.api.request('PATCH', `/api/v1/webhooks/${hook.id}`, { token: user.jwt, body });
    for (const [body, field] of [
      [{ events: ['nope'] }, 'events'],
      [{ events: [] }, 'events'],
      [{ url: 'http://' }, 'url'],
      [{ enabled: 'yes' }, 'enabled'],
    ] as [unknown, string][]) {
      const answer = await patch(body);
      expect({ body, status: answer.status, fields: answer.body.errors?.map((e: { field: string }) => e.field) }).toEqual({ body, status: 400, fields: [field] });
    }
    expect((await stack.api.get(`/api/v1/webhooks/${hook.id}`, user.jwt)).body.events).toEqual(['status.changed']);
    // Ids, cursors and limits.
    expect((await stack.api.get('/api/v1/webhooks/not-a-uuid', user.jwt)).body.errors).toEqual([{ field: 'id', reason: expect.any(String) }]);
    expect((await stack.api.get(`/api/v1/webhooks/${hook.id}/deliveries?cursor=bad!`, user.jwt)).body.errors).toEqual([{ field: 'cursor', reason: expect.any(String) }]);
    expect((await stack.api.get(`/api/v1/webhooks/${hook.id}/deliveries?cursor=Zm9v`, user.jwt)).body.errors).toEqual([{ field: 'cursor', reason: expect.any(String) }]);
    const forged = Buffer.from(`2026-02-31 10:00:00+00|${hook.id}`).toString('base64url');
    expect((await stack.api.get(`/api/v1/webhooks/${hook.id}/deliveries?cursor=${forged}`, user.jwt)).body.errors).toEqual([{ field: 'cursor', reason: expect.any(String) }]);
    expect((await stack.api.get(`/api/v1/webhooks/${hook.id}/deliveries?limit=0`, user.jwt)).body.errors).toEqual([{ field: 'limit', reason: expect.any(String) }]);
    expect((await stack.api.post(`/api/v1/webhooks/${hook.id}/deliveries/nope/replay`, user.jwt)).body.errors).toEqual([{ field: 'deliveryId', reason: expect.any(String) }]);
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await stack.api.get(`/api/v1/webhooks/${missing}`, user.jwt)).status).toBe(404);
    expect((await stack.api.post(`/api/v1/webhooks/${hook.id}/deliveries/${missing}/replay`, user.jwt)).status).toBe(404);
    expect((await stack.api.get('/api/v1/webhooks', undefined)).status).toBe(401);
  }, 60_000);

  it('keeps endpoints apart: another user gets 404; org webhooks are for org admins (403 for a member)', async () => {
    const org = `org-${randomBytes(3).toString('hex')}`;
    const admin = await newOrgUser(stack, org, 'admin', []);
    const member = await newOrgUser(stack, org, 'member', []);
    const stranger = await newUser(stack, []);
    const url = `${receiver.url}${path()}`;
    const denied = await stack.api.post('/api/v1/webhooks', member.jwt, { url, events: ['status.changed'], scope: 'org' });
    expect([denied.status, denied.body.errors]).toEqual([403, [{ field: 'scope', reason: expect.any(String) }]]);
    const orgHook = await stack.api.post('/api/v1/webhooks', admin.jwt, { url, events: ['team.availability_changed', 'status.changed'], scope: 'org' });
    expect(orgHook.status).toBe(201);
    secretsSeen.push(orgHook.body.secret);
    expect(orgHook.body.scope).toBe('org');
    // The member neither sees nor changes it; a stranger neither.
    expect((await stack.api.get('/api/v1/webhooks', member.jwt)).body).toEqual([]);
    for (const caller of [member, stranger]) {
      expect((await stack.api.get(`/api/v1/webhooks/${orgHook.body.id}`, caller.jwt)).status).toBe(404);
      expect((await stack.api.delete(`/api/v1/webhooks/${orgHook.body.id}`, caller.jwt)).status).toBe(404);
      expect((await stack.api.post(`/api/v1/webhooks/${orgHook.body.id}/rotate-secret`, caller.jwt)).status).toBe(404);
    }
    // Another admin of the org manages it.
    const admin2 = await newOrgUser(stack, org, 'admin', []);
    expect((await stack.api.get(`/api/v1/webhooks/${orgHook.body.id}`, admin2.jwt)).status).toBe(200);
    // A member's status change reaches the org endpoint; as a team member, also as team.availability_changed.
    const memberWithPlatform = await newOrgUser(stack, org, 'member', ['github']);
    const team = await stack.api.post('/api/v1/teams', admin.jwt, { name: `Hooks ${randomBytes(2).toString('hex')}` });
    expect(team.status).toBe(201);
    expect((await stack.api.request('PUT', `/api/v1/teams/${team.body.id}/members/${memberWithPlatform.subject}`, { token: admin.jwt })).status).toBeLessThan(300);
    await stack.api.post('/api/v1/status/update', memberWithPlatform.jwt, { emoji: ':coffee:', message: 'Break' });
    const hookPath = new URL(url).pathname;
    const got = await waitFor(() => receiver.at(hookPath).length >= 2 && receiver.at(hookPath), 'the org endpoint to hear of a member');
    const bodies = got.map((entry) => verify(orgHook.body.secret, entry)).sort((a, b) => a.type.localeCompare(b.type));
    expect(bodies).toEqual([
      expect.objectContaining({ type: 'status.changed', data: expect.objectContaining({ subject: memberWithPlatform.subject }) }),
      expect.objectContaining({ type: 'team.availability_changed', data: expect.objectContaining({ subject: memberWithPlatform.subject, teamIds: [team.body.id] }) }),
    ]);
    expect((await stack.api.delete(`/api/v1/webhooks/${orgHook.body.id}`, admin2.jwt)).status).toBe(204);
    expect((await stack.api.get(`/api/v1/webhooks/${orgHook.body.id}`, admin.jwt)).status).toBe(404);
  }, 60_000);

  it('counts attempts by event and result, with their duration, on the worker\'s /metrics', async () => {
    const text = await (await fetch(`${stack.services['sync-worker'].url}/metrics`)).text();
    const value = (line: RegExp) => Number(text.split('\n').find((row) => line.test(row))?.split(' ').at(-1) ?? NaN);
    // The earlier tests sent pings answered 2xx, 410, 503 and 302.
    expect(value(/^statusync_webhook_deliveries_total\{.*event="webhook.test".*result="2xx"/)).toBeGreaterThan(0);
    expect(value(/^statusync_webhook_deliveries_total\{.*event="webhook.test".*result="5xx"/)).toBeGreaterThanOrEqual(4);
    expect(value(/^statusync_webhook_deliveries_total\{.*event="webhook.test".*result="3xx"/)).toBeGreaterThanOrEqual(4);
    expect(value(/^statusync_webhook_deliveries_total\{.*event="status.changed".*result="2xx"/)).toBeGreaterThan(0);
    expect(value(/^statusync_webhook_delivery_duration_seconds_count\{.*result="2xx"/)).toBeGreaterThan(0);
  }, 60_000);

  it('is managed through the SDK (client.webhooks)', async () => {
    const user = await newUser(stack, []);
    const client = createStatusyncClient({ baseUrl: stack.services['api-gateway'].url, token: user.jwt });
    const hookPath = path();
    const created = await client.webhooks.create({ url: `${receiver.url}${hookPath}`, events: ['sync.failed'] });
    secretsSeen.push(created.secret);
    expect(created).toEqual(expect.objectContaining({ scope: 'personal', state: 'active', events: ['sync.failed'], secret: expect.stringMatching(/^whsec_/) }));
    expect((await client.webhooks.list()).map((hook) => hook.id)).toEqual([created.id]);
    expect((await client.webhooks.get(created.id)) as Record<string, unknown>).not.toHaveProperty('secret');
    expect((await client.webhooks.update(created.id, { events: ['status.changed', 'sync.failed'], description: 'Board' }))).toEqual(
      expect.objectContaining({ events: ['status.changed', 'sync.failed'], description: 'Board', url: `${receiver.url}${hookPath}` }),
    );
    expect((await client.webhooks.update(created.id, { description: null })).description).toBeNull();
    const { deliveryId } = await client.webhooks.test(created.id);
    await waitFor(() => receiver.at(hookPath).length === 1, 'the ping');
    const pages = [];
    for await (const page of client.webhooks.deliveries(created.id, { limit: 1 })) pages.push(page);
    expect(pages.flatMap((page) => page.items.map((item) => item.id))).toEqual([deliveryId]);
    const rotated = await client.webhooks.rotateSecret(created.id);
    secretsSeen.push(rotated.secret);
    expect(rotated.secret).not.toBe(created.secret);
    const refused = (await client.webhooks.create({ url: `${receiver.url}${hookPath}`, events: ['no.such' as never] }).catch((error: unknown) => error)) as StatusyncError;
    expect([refused.status, refused.fieldErrors.map((e) => e.field)]).toEqual([400, ['events']]);
    await client.webhooks.remove(created.id);
    expect(await client.webhooks.list()).toEqual([]);
  }, 60_000);

  it('pages deliveries newest first with a cursor that loses none', async () => {
    const user = await newUser(stack, []);
    const hookPath = path();
    const hook = await createHook(user, hookPath, ['status.changed']);
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) sent.push((await test(user, hook.id)).body.deliveryId);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const answer: { body: { items: { id: string }[]; nextCursor: string | null } } = await stack.api.get(
        `/api/v1/webhooks/${hook.id}/deliveries?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        user.jwt,
      );
      seen.push(...answer.body.items.map((item) => item.id));
      cursor = answer.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...sent].reverse());
  }, 60_000);

  it('never shows a secret after creation: not in GET answers, deliveries, or any service log', async () => {
    expect(secretsSeen.length).toBeGreaterThan(5);
    // The worker's log is where a leak would be: make sure it was read (it logs every attempt).
    expect(stack.services['sync-worker'].logs()).toContain('webhook attempt');
    const creationAnswers = RESPONSES_SEEN.filter((text) => /"secret":"whsec_/.test(text));
    const others = RESPONSES_SEEN.filter((text) => !creationAnswers.includes(text));
    for (const secret of secretsSeen) {
      const key = secret.slice(6);
      expect(others.filter((text) => text.includes(key))).toEqual([]);
      for (const service of Object.values(stack.services)) expect(service.logs().includes(key)).toBe(false);
    }
    const stored = await stack.db.query(`SELECT count(*)::int AS n FROM webhooks WHERE position('whsec_'::bytea in secret_ciphertext) > 0`);
    expect(stored.rows[0].n).toBe(0);
  }, 60_000);
});

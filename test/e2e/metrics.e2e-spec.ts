import { newUser, settled, startStack, TestStack } from '../support/stack';
import { waitFor } from '../support/wait-for';

const TOKEN = 'metrics-scrape-token-0123456789';

/** One sample of the Prometheus text format: `name{a="b",c="d"} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]));
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

async function scrape(url: string, token = TOKEN) {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), text, samples: response.ok ? parseSamples(text) : [] };
}

const valueOf = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value;

describe('/metrics', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack('metrics', { ownSchema: true, env: { METRICS_TOKEN: TOKEN } });
    // One at a time: four services booting at once on a busy 2-core machine can outlast the ready timeout.
    for (const name of ['scheduler', 'calendar-poller'] as const) stack.services[name] = await stack.startService(name);
  }, 120_000);

  afterAll(() => stack?.stop());

  it('is served by every app, with process metrics labelled by service, and only with the scrape token', async () => {
    for (const [name, service] of Object.entries(stack.services)) {
      const answer = await scrape(service.url);
      expect(answer.status).toBe(200);
      expect(answer.contentType).toContain('text/plain');
      expect(valueOf(answer.samples, 'process_resident_memory_bytes', { service: name })).toBeGreaterThan(0);
      // Exported before the first event, so dashboards and alerts find every series on every app.
      expect(answer.text).toContain('# TYPE statusync_calendar_polls_total counter');
      expect(answer.text).toContain('# TYPE statusync_calendar_poll_errors_total counter');
      expect(answer.text).toContain('# TYPE statusync_webhook_deliveries_total counter');

      const refused = await scrape(service.url, 'wrong-token');
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.text)).toMatchObject({ status: 401, errors: [{ field: 'Authorization', reason: 'is not the metrics token' }] });
      expect(refused.text).not.toContain('process_resident_memory_bytes');
      const anonymous = await fetch(`${service.url}/metrics`);
      expect(anonymous.status).toBe(401);
    }
  });

  it('after a real sync: HTTP latency by route, jobs completed, request→applied latency and queue depth', async () => {
    const user = await newUser(stack);
    const accepted = await stack.api.post('/api/v1/status/update', user.jwt, { emoji: ':coffee:', message: 'Break', durationMinutes: 15 });
    expect(accepted.status).toBe(202);
    expect((await settled(stack, user, accepted.body.id)).state).toBe('succeeded');

    const gateway = (await scrape(stack.services['api-gateway'].url)).samples;
    // The templated route, never the raw URL with the update's id in it.
    const route = { route: '/api/v1/status/updates/:id', method: 'GET', status_class: '2xx' };
    expect(valueOf(gateway, 'statusync_http_request_duration_seconds_count', route)).toBeGreaterThanOrEqual(1);
    expect(valueOf(gateway, 'statusync_http_request_duration_seconds_count', { route: '/api/v1/status/update', method: 'POST', status_class: '2xx' })).toBe(1);
    expect(gateway.some((sample) => sample.labels.route?.includes(accepted.body.id))).toBe(false);
    for (const queue of ['status-sync-github', 'status-sync-slack']) {
      expect(valueOf(gateway, 'statusync_queue_jobs', { queue, state: 'waiting' })).toBe(0);
      expect(valueOf(gateway, 'statusync_queue_oldest_waiting_seconds', { queue })).toBe(0);
    }

    // The worker counts at settle; the update reads as settled once both deliveries committed, just before that.
    const worker = await waitFor(async () => {
      const { samples } = await scrape(stack.services['sync-worker'].url);
      const counted = ['github', 'slack'].every((platform) => valueOf(samples, 'statusync_sync_jobs_completed_total', { platform, outcome: 'succeeded' }) === 1);
      return counted ? samples : undefined;
    }, 'the worker to count both deliveries');
    for (const platform of ['github', 'slack']) {
      expect(valueOf(worker, 'statusync_request_to_applied_seconds_count', { platform, service: 'sync-worker' })).toBe(1);
      expect(valueOf(worker, 'statusync_request_to_applied_seconds_sum', { platform })).toBeGreaterThan(0);
    }
  });

  it('counts a permanent platform failure by platform and error code', async () => {
    const user = await newUser(stack, ['github']);
    stack.github.revokeToken(user.githubToken);
    const accepted = await stack.api.post('/api/v1/status/update', user.jwt, { emoji: ':coffee:', message: 'Break', durationMinutes: 15 });
    expect(accepted.status).toBe(202);
    const outcome = await settled(stack, user, accepted.body.id);
    expect(outcome.platforms.github.state).toBe('failed');
    await waitFor(async () => {
      const { samples } = await scrape(stack.services['sync-worker'].url);
      return (valueOf(samples, 'statusync_sync_jobs_failed_total', { platform: 'github', error_code: outcome.platforms.github.errorCode }) ?? 0) >= 1;
    }, 'the worker to count the failure');
  });
});

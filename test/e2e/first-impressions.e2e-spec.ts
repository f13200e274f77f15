import { randomBytes } from 'node:crypto';
import { syncJobId } from '@statusync/queue';
import { newOrgUser } from '../support/org-users';
import { newUser, startStack, TestStack } from '../support/stack';

/**
 * What a new user meets first (issue 7): the queue dashboard, "Try it out" in the API docs, and the errors.
 * Only the gateway runs, so the jobs of an update stay in their queues where the dashboard can count them.
 */
describe('first impressions', () => {
  let stack: TestStack;

  beforeAll(async () => {
    // Google and Microsoft calendar apps configured (nothing is called until a person approves), so the documented
    // `type: google|microsoft` examples meet a gateway that offers them.
    const calendarApps = { GOOGLE_CLIENT_ID: 'example.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 'example-secret', MICROSOFT_CLIENT_ID: 'example-client', MICROSOFT_CLIENT_SECRET: 'example-secret' };
    stack = await startStack('first', { services: ['api-gateway'], env: calendarApps });
  }, 60_000);

  afterAll(() => stack?.stop());

  it('Bull Board lists both platform queues (and webhook deliveries) with the jobs of an update in their counts', async () => {
    const user = await newUser(stack);
    const accepted = await stack.api.post('/api/v1/status/update', user.jwt, { message: 'Counting jobs', durationMinutes: 30 });
    expect(accepted.status).toBe(202);

    type BoardQueue = { name: string; counts: Record<string, number>; jobs: { id: string }[] };
    const board = await stack.api.get<{ queues: BoardQueue[] }>('/admin/queues/api/queues?page=1');
    expect(board.status).toBe(200);
    expect(board.body.queues.map((queue) => queue.name).sort()).toEqual(['status-sync-github', 'status-sync-slack', 'webhook-delivery']);
    for (const platform of ['github', 'slack']) {
      // The page asks for one queue's jobs at a time, by state.
      const name = `status-sync-${platform}`;
      const open = await stack.api.get<{ queues: BoardQueue[] }>(`/admin/queues/api/queues?activeQueue=${name}&status=waiting&page=1`);
      const queue = open.body.queues.find((candidate) => candidate.name === name)!;
      expect(queue.counts.waiting).toBeGreaterThanOrEqual(1);
      expect(queue.jobs.map((job) => job.id)).toContain(syncJobId(accepted.body.id, platform as 'github' | 'slack'));
    }
  });

  describe('every request example in the API document is accepted when tried', () => {
    interface Example {
      label: string;
      method: string;
      path: string;
      body: unknown;
    }
    let examples: Example[];

    beforeAll(async () => {
      examples = requestExamples((await stack.api.get('/docs-json')).body);
    });

    it('finds the examples (a document without any would pass trivially)', () => {
      expect(examples.map((example) => `${example.method} ${example.path}`)).toEqual(
        expect.arrayContaining(['POST /api/v1/status/update', 'POST /api/v1/status/clear', 'POST /api/v1/config/platforms']),
      );
      expect(examples.some((example) => JSON.stringify(example.body).includes('expiresAt'))).toBe(true);
    });

    it('answers each with success, never a validation error', async () => {
      // An org admin: some examples create org-wide things (an org template, a team).
      const user = await newOrgUser(stack, `org-${randomBytes(3).toString('hex')}`, 'admin');
      // The documented token is an example of the format; make the fake know it, for this user.
      stack.github.addToken('ghp_exampleexampleexampleexample', { login: `octo-example-${randomBytes(3).toString('hex')}` });
      const outcomes: string[] = [];
      for (const example of examples) {
        const answer = await stack.api.request(example.method, example.path, { token: user.jwt, body: example.body });
        // A path naming a resource by an example id may not exist here (404); the body must still be valid. A calendar
        // feed's example host stands for the user's own feed: this closed test network resolves no public name, so the
        // one refusal allowed is the host check (the address is checked when the calendar is created).
        const unresolvable = answer.status === 400 && answer.body?.errors?.every((e: { field: string; reason: string }) => e.field === 'url' && /does not resolve/.test(e.reason));
        const acceptable = answer.status < 300 || (answer.status === 404 && /\/[0-9a-f-]{36}(\/|$)/.test(example.path)) || unresolvable;
        outcomes.push(`${example.label}: ${acceptable ? 'accepted' : `${answer.status} ${answer.text}`}`);
      }
      expect(outcomes).toEqual(examples.map((example) => `${example.label}: accepted`));
    });
  });

  describe('every error answer has the one documented shape', () => {
    const expectProblem = (answer: { status: number; headers: Headers; body: any }, status: number, field: string) => {
      expect(answer.status).toBe(status);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body).toEqual(
        expect.objectContaining({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String), requestId: expect.any(String) }),
      );
      expect(answer.body.errors).toEqual([{ field, reason: expect.any(String) }]);
    };

    it('401 names the Authorization header', async () => {
      expectProblem(await stack.api.get('/api/v1/status/current'), 401, 'Authorization');
      expectProblem(await stack.api.get('/api/v1/status/current', 'not-a-jwt'), 401, 'Authorization');
    });

    it('404 for an unknown route names the path', async () => {
      const user = await newUser(stack, []);
      expectProblem(await stack.api.get('/api/v1/no-such-route', user.jwt), 404, 'path');
    });

    it('415 names Content-Type and says what to send', async () => {
      const user = await newUser(stack, []);
      const answer = await stack.api.request('POST', '/api/v1/status/update', { token: user.jwt, rawBody: 'message=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expectProblem(answer, 415, 'Content-Type');
      expect(answer.body.errors[0].reason).toContain('Content-Type: application/json');
      expect(answer.body.detail).toContain('Content-Type: application/json');
    });

    it('malformed JSON names the body', async () => {
      const user = await newUser(stack, []);
      const answer = await stack.api.request('POST', '/api/v1/status/update', { token: user.jwt, rawBody: '{"message": ', headers: { 'content-type': 'application/json' } });
      expectProblem(answer, 400, 'body');
    });

    it('validation errors keep naming their fields', async () => {
      const user = await newUser(stack);
      const answer = await stack.api.post('/api/v1/status/update', user.jwt, { message: 'x'.repeat(200) });
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([expect.objectContaining({ field: 'message' })]);
    });
  });
});

type Operation = { requestBody?: { content?: Record<string, { examples?: Record<string, { value: unknown }>; schema?: Schema }> }; parameters?: Parameter[] };
type Parameter = { name: string; in: string; example?: unknown; schema?: { enum?: unknown[]; example?: unknown } };
type Schema = { $ref?: string; properties?: Record<string, { example?: unknown }> };

/**
 * Every request body the document offers as an example, as Swagger UI's "Try it out" would send it: the named
 * examples, or else the one composed from the properties' examples. Path parameters take their example or first enum value.
 */
function requestExamples(document: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } }) {
  const examples: { label: string; method: string; path: string; body: unknown }[] = [];
  for (const [template, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const media = operation.requestBody?.content?.['application/json'];
      if (!media) continue;
      const path = template.replace(/\{(\w+)\}/g, (_all, name: string) => {
        const parameter = operation.parameters?.find((p) => p.in === 'path' && p.name === name);
        return String(parameter?.example ?? parameter?.schema?.example ?? parameter?.schema?.enum?.[0] ?? name);
      });
      const named = Object.entries(media.examples ?? {}).map(([name, example]) => [name, example.value] as const);
      const schema = media.schema?.$ref ? document.components.schemas[media.schema.$ref.split('/').pop()!] : media.schema;
      const composed = Object.fromEntries(Object.entries(schema?.properties ?? {}).flatMap(([name, property]) => (property.example === undefined ? [] : [[name, property.example]])));
      for (const [name, body] of named.length > 0 ? named : [['composed', composed] as const]) {
        examples.push({ label: `${method.toUpperCase()} ${path} (${name})`, method: method.toUpperCase(), path, body });
      }
    }
  }
  return examples;
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IcsFake } from '../fakes/ics-fake';
import { ApiClient } from '../support/api-client';
import { CALENDARS, calendarState, icsFeed, utcAt, withEmail } from '../support/calendar-helpers';
import { newUser, startStack, TestStack, TestUser } from '../support/stack';
import { patch } from '../support/templates-helpers';
import { waitFor } from '../support/wait-for';

const CORPUS = process.env.CALENDAR_CORPUS_DIR ?? join(__dirname, '../fixtures/calendar-corpus/public');

describe('calendars: every refusal is a 4xx naming the field and changes nothing; private addresses refused; the corpus reads', () => {
  let stack: TestStack;
  let ics: IcsFake;
  let ada: TestUser;
  let bob: TestUser;
  let adaCalendar: string;
  let strict: ApiClient;

  const refused = async (send: () => Promise<{ status: number; body: any; headers: Headers }>, status: number, field?: string) => {
    const before = await calendarState(stack);
    const answer = await send();
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status, body: { status } });
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    if (field) expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await calendarState(stack)).toBe(before);
    return answer;
  };

  beforeAll(async () => {
    ics = await IcsFake.start();
    stack = await startStack('calendars-refusals', {
      ownSchema: true,
      services: ['api-gateway', 'calendar-poller'],
      env: { ALLOW_PRIVATE_URLS: 'true' },
    });
    // The same deployment without ALLOW_PRIVATE_URLS: the production setting.
    strict = new ApiClient((await stack.startService('api-gateway', { ALLOW_PRIVATE_URLS: 'false' })).url);
    ada = withEmail(await newUser(stack, []));
    bob = await newUser(stack, []);
    const created = await stack.api.post(CALENDARS, ada.jwt, { type: 'ics', url: ics.serve('/ada.ics', icsFeed([{ uid: 'a', start: utcAt(1, 9), end: utcAt(1, 10), summary: 'x' }])) });
    adaCalendar = created.body.id;
    // Its first read writes spans: let it finish so "nothing changed" compares settled states.
    await waitFor(async () => (await stack.db.query(`SELECT 1 FROM calendar_spans WHERE calendar_id = $1`, [adaCalendar])).rowCount === 1, 'the first read');
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await ics?.close();
  });

  it('refuses bad bodies with a 400 naming the field', async () => {
    const post = (body: unknown) => () => stack.api.post(CALENDARS, ada.jwt, body);
    await refused(post({}), 400, 'type');
    await refused(post({ type: 'caldav', url: ics.url }), 400, 'type');
    // This deployment has no Google/Microsoft OAuth app: a 422 naming `type`, and no calendar row left behind.
    const unconfigured = await refused(post({ type: 'google' }), 422, 'type');
    expect(unconfigured.body.detail).toMatch(/GOOGLE_CLIENT_ID/);
    await refused(post({ type: 'microsoft' }), 422, 'type');
    await refused(post({ type: 'ics' }), 400, 'url');
    await refused(post({ type: 'ics', url: 42 }), 400, 'url');
    await refused(post({ type: 'ics', url: 'ftp://example.com/cal.ics' }), 400, 'url');
    await refused(post({ type: 'ics', url: 'not a url' }), 400, 'url');
    await refused(post({ type: 'ics', url: `${ics.url}/a.ics`, ownerEmail: 'nope' }), 400, 'ownerEmail');
    await refused(post({ type: 'ics', url: `${ics.url}/a.ics`, extra: true }), 400);
    const badKinds = await refused(post({ type: 'ics', url: `${ics.url}/a.ics`, rules: { kinds: ['party'] } }), 400);
    expect(JSON.stringify(badKinds.body.errors)).toMatch(/kinds/);
    await refused(() => patch(stack, `${CALENDARS}/${adaCalendar}`, ada.jwt, { rules: { includeTitles: 'yes' } }), 400);
    await refused(() => patch(stack, `${CALENDARS}/${adaCalendar}`, ada.jwt, { ownerEmail: 'nope' }), 400, 'ownerEmail');
  }, 60_000);

  it('refuses bad preview windows with a 400 naming from or to', async () => {
    const preview = (query: string) => () => stack.api.get(`${CALENDARS}/${adaCalendar}/preview?${query}`, ada.jwt);
    await refused(preview('from=yesterday'), 400, 'from');
    await refused(preview(`from=${utcAt(1, 0).toISOString()}&to=banana`), 400, 'to');
    await refused(preview(`from=${utcAt(2, 0).toISOString()}&to=${utcAt(1, 0).toISOString()}`), 400, 'to');
    await refused(preview(`from=${utcAt(0, 0).toISOString()}&to=${utcAt(90, 0).toISOString()}`), 400, 'to');
  }, 60_000);

  it('answers 404 for unknown ids and for another user\'s calendar, 400 for a malformed id', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const id of [missing, adaCalendar]) {
      await refused(() => stack.api.get(`${CALENDARS}/${id}`, bob.jwt), 404);
      await refused(() => stack.api.get(`${CALENDARS}/${id}/preview`, bob.jwt), 404);
      await refused(() => patch(stack, `${CALENDARS}/${id}`, bob.jwt, { rules: { includeTitles: true } }), 404);
      await refused(() => stack.api.delete(`${CALENDARS}/${id}`, bob.jwt), 404);
    }
    expect((await stack.api.get(CALENDARS, bob.jwt)).body).toEqual([]);
    await refused(() => stack.api.get(`${CALENDARS}/not-a-uuid`, ada.jwt), 400, 'id');
    await refused(() => stack.api.get(CALENDARS), 401);
  }, 60_000);

  it('refuses feed addresses on loopback, private or link-local networks unless ALLOW_PRIVATE_URLS', async () => {
    const port = new URL(ics.url).port;
    for (const url of [`http://127.0.0.1:${port}/ada.ics`, `http://localhost:${port}/ada.ics`, 'http://169.254.169.254/latest/meta-data/', 'http://[::1]/x.ics', 'http://10.0.0.8/cal.ics', 'http://[::ffff:127.0.0.1]/x.ics']) {
      const answer = await refused(() => strict.post(CALENDARS, ada.jwt, { type: 'ics', url }), 400, 'url');
      expect(answer.body.errors[0].reason).toMatch(/private, loopback or link-local/);
    }
  }, 60_000);

  it('reads every file of the public corpus without marking it broken, and previews it', async () => {
    const files = readdirSync(CORPUS).filter((name) => name.endsWith('.ics'));
    expect(files.length).toBeGreaterThan(10);
    const ids: [string, string][] = [];
    for (const file of files) {
      const created = await stack.api.post(CALENDARS, ada.jwt, { type: 'ics', url: ics.serve(`/corpus/${file}`, readFileSync(join(CORPUS, file), 'utf8')) });
      expect(created.status).toBe(201);
      ids.push([file, created.body.id]);
    }
    for (const [file, id] of ids) {
      const calendar = await waitFor(async () => {
        const answer = await stack.api.get(`${CALENDARS}/${id}`, ada.jwt);
        return answer.body.state !== 'pending' ? answer.body : undefined;
      }, `${file} to be read`, 30_000);
      expect({ file, state: calendar.state, lastError: calendar.lastError }).toEqual({ file, state: 'active', lastError: null });
      const preview = await stack.api.get(`${CALENDARS}/${id}/preview?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z`, ada.jwt);
      expect({ file, status: preview.status }).toEqual({ file, status: 200 });
    }
  }, 120_000);
});

import { Webhook } from 'standardwebhooks';
import { IcsFake } from '../fakes/ics-fake';
import { CALENDARS, icsFeed, withEmail } from '../support/calendar-helpers';
import { newUser, startStack, TestStack, TestUser } from '../support/stack';
import { waitFor } from '../support/wait-for';
import { WebhookReceiver } from '../support/webhook-receiver';

const secondsFromNow = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);

/** calendar.meeting_started / ended come from the span engine's calendar edges (the scheduler), once each. */
describe('calendar meeting webhooks', () => {
  let stack: TestStack;
  let ics: IcsFake;
  let receiver: WebhookReceiver;
  let ada: TestUser;

  beforeAll(async () => {
    ics = await IcsFake.start();
    receiver = await WebhookReceiver.start();
    stack = await startStack('webhooks-calendar', {
      ownSchema: true,
      services: ['api-gateway', 'sync-worker', 'scheduler', 'calendar-poller'],
      env: { ALLOW_PRIVATE_URLS: 'true', CALENDAR_POLL_INTERVAL_MS: '2000', SCHEDULE_RECONCILE_INTERVAL_MS: '1000' },
    });
    ada = withEmail(await newUser(stack));
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await ics?.close();
    await receiver?.close();
  });

  it('sends calendar.meeting_started at the meeting\'s start and calendar.meeting_ended at its end, signed', async () => {
    const hook = await stack.api.post('/api/v1/webhooks', ada.jwt, { url: `${receiver.url}/meetings`, events: ['calendar.meeting_started', 'calendar.meeting_ended'] });
    expect(hook.status).toBe(201);
    const start = secondsFromNow(8_000);
    const end = new Date(start.getTime() + 6_000);
    const url = ics.serve('/ical/hooks.ics', icsFeed([{ uid: 'hook-1', start, end, summary: 'Planning' }]));
    const calendar = await stack.api.post(CALENDARS, ada.jwt, { type: 'ics', url });
    expect(calendar.status).toBe(201);

    const got = await waitFor(() => receiver.at('/meetings').length >= 2 && receiver.at('/meetings'), 'both meeting events', 40_000, 100);
    const bodies = got.map((entry) => new Webhook(hook.body.secret).verify(entry.body, entry.headers as Record<string, string>) as { type: string; data: any });
    expect(bodies.map((body) => body.type)).toEqual(['calendar.meeting_started', 'calendar.meeting_ended']);
    expect(bodies[0].data).toEqual(expect.objectContaining({ subject: ada.subject, calendarId: calendar.body.id, startsAt: start.toISOString(), endsAt: end.toISOString() }));
    expect(got[0].at).toBeGreaterThanOrEqual(start.getTime() - 1_000);
    expect(got[1].at).toBeGreaterThanOrEqual(end.getTime() - 1_000);
    // Only those two: status.changed and sync.* were not subscribed to.
    expect(receiver.at('/meetings')).toHaveLength(2);
  }, 90_000);
});

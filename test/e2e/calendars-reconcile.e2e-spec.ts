import { Queue } from 'bullmq';
import { CALENDAR_POLL_QUEUE } from '@statusync/queue';
import { IcsFake } from '../fakes/ics-fake';
import { CALENDARS, icsFeed, utcAt, withEmail } from '../support/calendar-helpers';
import { newUser, startStack, TestStack, TestUser } from '../support/stack';
import { E2E } from '../support/test-env';
import { waitFor } from '../support/wait-for';

/** Postgres is the poll schedule: losing every queued read (a flushed Redis) only delays the next one. */
describe('calendar poller: reads resume from Postgres after the queue is lost', () => {
  let stack: TestStack;
  let ics: IcsFake;
  let ada: TestUser;

  beforeAll(async () => {
    ics = await IcsFake.start();
    stack = await startStack('calendars-reconcile', {
      ownSchema: true,
      services: ['api-gateway', 'calendar-poller'],
      env: { ALLOW_PRIVATE_URLS: 'true', CALENDAR_POLL_INTERVAL_MS: '1000' },
    });
    ada = withEmail(await newUser(stack, []));
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await ics?.close();
  });

  it('a poller started on an empty queue picks every calendar up again', async () => {
    const path = '/reconcile.ics';
    const created = await stack.api.post(CALENDARS, ada.jwt, { type: 'ics', url: ics.serve(path, icsFeed([{ uid: 'a', start: utcAt(1, 9), end: utcAt(1, 10), summary: 'x' }])) });
    await waitFor(async () => (await stack.api.get(`${CALENDARS}/${created.body.id}`, ada.jwt)).body.state === 'active', 'the first read');

    await stack.services['calendar-poller'].stop();
    const queue = new Queue(CALENDAR_POLL_QUEUE, { connection: { url: E2E.redisUrl }, prefix: stack.queuePrefix });
    try {
      await queue.obliterate({ force: true });
      expect(await queue.count()).toBe(0);
      const before = ics.requestsTo(path).length;
      await stack.startService('calendar-poller');
      await waitFor(() => ics.requestsTo(path).length > before, 'a read after the restart', 20_000);
      await waitFor(async () => (await queue.getDelayed()).some((job) => job.data.calendarId === created.body.id), 'the next read to be queued again');
    } finally {
      await queue.close();
    }
  }, 60_000);
});

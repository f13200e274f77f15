import { patch, refusedUnchanged } from '../support/templates-helpers';
import { newUser, startStack, TestStack, TestUser } from '../support/stack';

const ME = '/api/v1/me';

describe('GET/PATCH /me: time zone and working hours', () => {
  let stack: TestStack;
  let user: TestUser;

  beforeAll(async () => {
    stack = await startStack('me', { ownSchema: true, services: ['api-gateway'] });
    user = await newUser(stack, []);
  }, 60_000);

  afterAll(() => stack?.stop());

  it('starts in UTC without working hours, and keeps what is set', async () => {
    const first = await stack.api.get(ME, user.jwt);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ subject: user.subject, orgId: null, role: 'member', timeZone: 'UTC', workingHours: null });

    const hours = { mon: [{ start: '09:00', end: '12:30' }, { start: '13:30', end: '17:30' }], fri: [{ start: '22:00', end: '24:00' }], sat: [] };
    const changed = await patch(stack, ME, user.jwt, { timeZone: 'Europe/Berlin', workingHours: hours });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ timeZone: 'Europe/Berlin', workingHours: hours });

    // Each field on its own: the other stays; null removes the working hours.
    expect((await patch(stack, ME, user.jwt, { timeZone: 'America/New_York' })).body).toMatchObject({ timeZone: 'America/New_York', workingHours: hours });
    expect((await patch(stack, ME, user.jwt, { workingHours: null })).body).toMatchObject({ timeZone: 'America/New_York', workingHours: null });
    expect((await stack.api.get(ME, user.jwt)).body).toMatchObject({ timeZone: 'America/New_York', workingHours: null });
    expect((await patch(stack, ME, user.jwt, { timeZone: 'UTC' })).body.timeZone).toBe('UTC');
  });

  it.each([
    ['an unknown zone', { timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
    ['an offset, not a zone', { timeZone: '+02:00' }, 'timeZone'],
    ['a zone in the wrong case', { timeZone: 'europe/berlin' }, 'timeZone'],
    ['a number', { timeZone: 2 }, 'timeZone'],
    ['an unknown weekday', { workingHours: { monday: [{ start: '09:00', end: '17:00' }] } }, 'workingHours.monday'],
    ['a time that is not HH:mm', { workingHours: { mon: [{ start: '9:00', end: '17:00' }] } }, 'workingHours.mon.0.start'],
    ['an end before the start', { workingHours: { tue: [{ start: '17:00', end: '09:00' }] } }, 'workingHours.tue'],
    ['overlapping intervals', { workingHours: { wed: [{ start: '09:00', end: '13:00' }, { start: '12:00', end: '17:00' }] } }, 'workingHours.wed'],
    ['more than four intervals', { workingHours: { thu: ['01', '03', '05', '07', '09'].map((h) => ({ start: `${h}:00`, end: `${h}:30` })) } }, 'workingHours.thu'],
    ['working hours that are not an object', { workingHours: 'nine to five' }, 'workingHours'],
    ['an unknown field', { zone: 'UTC' }, 'zone'],
  ])('refuses %s (400 naming the field) and changes nothing', async (_name, body, field) => {
    await patch(stack, ME, user.jwt, { timeZone: 'Asia/Tokyo', workingHours: { mon: [{ start: '10:00', end: '18:00' }] } });
    await refusedUnchanged(stack, () => patch(stack, ME, user.jwt, body), 400, field);
  });
});

import { StatusUpdateEntity } from '@statusync/db';
import { statusOf } from './status-sync.processor';

const update = (fields: Partial<StatusUpdateEntity>) =>
  Object.assign(new StatusUpdateEntity(), { kind: 'set', emoji: ':coffee:', message: 'Coffee', limitedAvailability: false, expiresAt: null, platformOverrides: null, ...fields });

describe('statusOf: what one platform is sent', () => {
  it("uses the platform's overrides and leaves the other platforms alone", () => {
    const withOverrides = update({ platformOverrides: { slack: { emoji: ':party-parrot:' }, github: { message: 'Short' } } });
    expect(statusOf(withOverrides, 'slack')).toMatchObject({ emoji: ':party-parrot:', message: 'Coffee' });
    expect(statusOf(withOverrides, 'github')).toMatchObject({ emoji: ':coffee:', message: 'Short' });
  });

  it('sends the update as recorded without overrides, and nothing (a clear) once it expired', () => {
    expect(statusOf(update({}), 'github')).toMatchObject({ emoji: ':coffee:', message: 'Coffee' });
    expect(statusOf(update({ expiresAt: new Date(Date.now() - 1_000) }), 'slack')).toBeNull();
  });
});

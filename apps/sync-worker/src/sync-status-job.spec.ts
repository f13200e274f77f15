import { parseSyncStatusJob } from './sync-status-job';

const UPDATE_ID = '6f1c1c52-3f0e-4d7e-9a43-1b2f0f6c9d10';
const USER_ID = 'A3B4C5D6-0000-4000-8000-00000000000F';
const valid = { updateId: UPDATE_ID, userId: USER_ID, platform: 'github', requestId: 'req-42' };

describe('parseSyncStatusJob', () => {
  it('accepts a valid payload and returns exactly the job fields', () => {
    expect(parseSyncStatusJob(valid)).toEqual(valid);
    expect(parseSyncStatusJob({ ...valid, platform: 'slack' }).platform).toBe('slack');
  });

  it('drops fields it does not know', () => {
    expect(parseSyncStatusJob({ ...valid, token: 'xoxp-secret', attempts: 3 })).toEqual(valid);
  });

  it('treats a missing or non-string requestId as none', () => {
    const { requestId: _omitted, ...withoutRequestId } = valid;
    expect(parseSyncStatusJob(withoutRequestId).requestId).toBeNull();
    expect(parseSyncStatusJob({ ...valid, requestId: null }).requestId).toBeNull();
    expect(parseSyncStatusJob({ ...valid, requestId: 42 }).requestId).toBeNull();
  });

  it.each([
    ['null', null, 'job payload is not an object'],
    ['undefined', undefined, 'job payload is not an object'],
    ['a string', JSON.stringify(valid), 'job payload is not an object'],
    ['a number', 7, 'job payload is not an object'],
    ['an array', [valid], 'job payload has no valid updateId'],
    ['no updateId', { ...valid, updateId: undefined }, 'job payload has no valid updateId'],
    ['a non-UUID updateId', { ...valid, updateId: 'update-1' }, 'job payload has no valid updateId'],
    ['a numeric updateId', { ...valid, updateId: 12 }, 'job payload has no valid updateId'],
    ['a UUID with trailing text', { ...valid, updateId: `${UPDATE_ID}x` }, 'job payload has no valid updateId'],
    ['no userId', { ...valid, userId: undefined }, 'job payload has no valid userId'],
    ['a non-UUID userId', { ...valid, userId: 'alice' }, 'job payload has no valid userId'],
    ['no platform', { ...valid, platform: undefined }, 'job payload names an unknown platform: undefined'],
    ['an unknown platform', { ...valid, platform: 'gitlab' }, 'job payload names an unknown platform: gitlab'],
    ['a platform in the wrong case', { ...valid, platform: 'GitHub' }, 'job payload names an unknown platform: GitHub'],
  ])('rejects %s with a clear message', (_case, payload, message) => {
    expect(() => parseSyncStatusJob(payload)).toThrow(new Error(message));
  });
});

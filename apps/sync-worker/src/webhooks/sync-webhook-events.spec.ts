import { StatusUpdateEntity } from '@statusync/db';
import { syncWebhookEvents } from './sync-webhook-events';

const update = {
  id: 'u1',
  kind: 'set',
  emoji: ':coffee:',
  message: 'Break',
  limitedAvailability: false,
  expiresAt: new Date('2026-12-01T11:00:00Z'),
  source: 'manual',
  platforms: ['github', 'slack'],
  createdAt: new Date('2026-12-01T10:00:00Z'),
} as unknown as StatusUpdateEntity;
const job = { updateId: 'u1', platform: 'github' as const, userId: 'user-1', requestId: null };
const settled = (outcome: 'succeeded' | 'failed' | 'retrying' | 'superseded', teamIds: string[] = []) =>
  syncWebhookEvents({ job, update, outcome, attempt: 2, errorCode: outcome === 'failed' ? 'token_revoked' : null, audience: { subject: 'ada', teamIds } });

describe('the webhook events a settled sync attempt causes', () => {
  it('a success: status.changed (keyed by the update, so once per update) and sync.succeeded (per platform)', () => {
    const events = settled('succeeded');
    expect(events.map((event) => [event.type, event.key])).toEqual([
      ['status.changed', 'status.changed.u1'],
      ['sync.succeeded', 'sync.succeeded.u1.github'],
    ]);
    expect(JSON.parse(events[0].payload).data).toEqual({
      updateId: 'u1',
      subject: 'ada',
      kind: 'set',
      emoji: ':coffee:',
      message: 'Break',
      limitedAvailability: false,
      expiresAt: '2026-12-01T11:00:00.000Z',
      source: 'manual',
      platforms: ['github', 'slack'],
      requestedAt: '2026-12-01T10:00:00.000Z',
    });
  });

  it('a failure for good: sync.failed with its error code', () => {
    const events = settled('failed');
    expect(events.map((event) => event.type)).toEqual(['status.changed', 'sync.failed']);
    expect(JSON.parse(events[1].payload).data).toEqual({ updateId: 'u1', subject: 'ada', platform: 'github', attempt: 2, errorCode: 'token_revoked' });
  });

  it('a team member: team.availability_changed too, with their teams', () => {
    const events = settled('succeeded', ['t1', 't2']);
    expect(events.map((event) => event.type)).toEqual(['status.changed', 'sync.succeeded', 'team.availability_changed']);
    expect(JSON.parse(events[2].payload).data).toEqual({ subject: 'ada', teamIds: ['t1', 't2'], updateId: 'u1' });
  });

  it('nothing for a retry or a superseded delivery', () => {
    expect(settled('retrying')).toEqual([]);
    expect(settled('superseded')).toEqual([]);
  });
});

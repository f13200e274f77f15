import { Logger } from '@nestjs/common';
import type { AvailabilityRepository, PlatformConfigsRepository, UserScope } from '@statusync/db';
import { PlatformAuthError, PlatformRegistry, PlatformUnavailableError } from '@statusync/platforms';
import type { PlatformStatusReading } from '@statusync/platforms';
import type { LiveNotifier } from '@statusync/queue';
import { Job, UnrecoverableError } from 'bullmq';
import type { PlatformTokens } from './platform-tokens';
import { StatusReadProcessor } from './status-read.processor';

/**
 * Read-back (drift detection): what a read job does with a bad payload, an inactive platform, an expiring token,
 * a platform that fails for good or for now, and a reading that did or did not change.
 */
describe('StatusReadProcessor', () => {
  const USER = '6f1c1a52-2b1e-4c39-9d0f-0a4e2b1f7c11';
  const reading: PlatformStatusReading = { emoji: ':coffee:', message: 'Break', expiresAt: null };
  const warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  afterAll(() => warnings.mockRestore());

  function processorWith(options: { state?: string | null; expiresSoon?: boolean; read?: () => Promise<PlatformStatusReading>; changed?: boolean } = {}) {
    const calls: string[] = [];
    const notified: unknown[] = [];
    const config = options.state === null ? null : { userId: USER, platform: 'slack', state: options.state ?? 'active' };
    const scope = { run: (_userId: string, work: (db: unknown) => Promise<unknown>) => work({}) } as unknown as UserScope;
    const configs = { lockWithSecret: async () => config } as unknown as PlatformConfigsRepository;
    const readings = {
      recordReading: async (_db: unknown, userId: string, platform: string, seen: PlatformStatusReading, via: string) => {
        calls.push(`record ${userId} ${platform} ${seen.emoji} ${via}`);
        return options.changed ?? true;
      },
    } as unknown as AvailabilityRepository;
    const adapter = {
      readStatus: async (token: string) => {
        calls.push(`read ${token}`);
        return (options.read ?? (async () => reading))();
      },
    };
    const platforms = { get: (platform: string) => (platform === 'slack' ? adapter : undefined) } as unknown as PlatformRegistry;
    const tokens = {
      expiresSoon: () => options.expiresSoon ?? false,
      accessToken: () => 'stored-token',
      refresh: async () => (calls.push('refresh'), 'refreshed-token'),
    } as unknown as PlatformTokens;
    const live = { notify: async (userId: string, event: unknown) => void notified.push({ userId, event }) } as unknown as LiveNotifier;
    const processor = new StatusReadProcessor(scope, configs, readings, platforms, tokens, live);
    return { run: (data: unknown) => processor.process({ data } as Job), calls, notified };
  }

  it('stores the platform’s reading and tells live clients when it changed', async () => {
    const { run, calls, notified } = processorWith();
    await expect(run({ userId: USER, platform: 'slack', staleSince: 1 })).resolves.toBe('changed');
    expect(calls).toEqual(['read stored-token', `record ${USER} slack :coffee: read`]);
    expect(notified).toEqual([{ userId: USER, event: { type: 'reading', platform: 'slack' } }]);
  });

  it('tells no one when the reading is what was stored', async () => {
    const { run, notified } = processorWith({ changed: false });
    await expect(run({ userId: USER, platform: 'slack' })).resolves.toBe('unchanged');
    expect(notified).toEqual([]);
  });

  it('refreshes a token about to expire before reading', async () => {
    const { run, calls } = processorWith({ expiresSoon: true });
    await run({ userId: USER, platform: 'slack' });
    expect(calls.slice(0, 2)).toEqual(['refresh', 'read refreshed-token']);
  });

  it('skips a platform that is not connected or not active, without calling it', async () => {
    for (const state of [null, 'reauth_required']) {
      const { run, calls } = processorWith({ state });
      await expect(run({ userId: USER, platform: 'slack' })).resolves.toBe('skipped');
      expect(calls).toEqual([]);
    }
  });

  it('refuses a job without a valid user id or with an unknown platform, for good (no retry)', async () => {
    const { run, calls } = processorWith();
    for (const data of [null, 'x', {}, { userId: 'not-a-uuid', platform: 'slack' }, { userId: USER, platform: 'myspace' }, { userId: USER }]) {
      await expect(run(data)).rejects.toBeInstanceOf(UnrecoverableError);
    }
    expect(calls).toEqual([]);
  });

  it('gives up at once when the platform refuses the token (a read is only a hint)', async () => {
    const { run, calls } = processorWith({ read: async () => Promise.reject(new PlatformAuthError('slack', 'token_revoked', 'revoked')) });
    await expect(run({ userId: USER, platform: 'slack' })).rejects.toThrow(new UnrecoverableError('token_revoked: revoked'));
    expect(calls).toEqual(['read stored-token']);
    // Logged with its code, never with the token.
    expect(warnings).toHaveBeenLastCalledWith({ userId: USER, platform: 'slack', code: 'token_revoked' }, 'read-back failed');
    expect(JSON.stringify(warnings.mock.calls)).not.toContain('stored-token');
  });

  it('lets BullMQ retry a passing platform failure, and any other error', async () => {
    const down = new PlatformUnavailableError('slack', 'unavailable', 'Slack is down');
    await expect(processorWith({ read: async () => Promise.reject(down) }).run({ userId: USER, platform: 'slack' })).rejects.toBe(down);
    const bug = new TypeError('boom');
    await expect(processorWith({ read: async () => Promise.reject(bug) }).run({ userId: USER, platform: 'slack' })).rejects.toBe(bug);
  });
});

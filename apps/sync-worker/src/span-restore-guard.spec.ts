import type { SpanRestoresRepository, StatusUpdateEntity, StatusUpdatesRepository, UserScope } from '@statusync/db';
import type { PlatformAdapter, PlatformStatusReading } from '@statusync/platforms';
import { SpanRestoreGuard } from './span-restore-guard';

/**
 * The worker's side of Restore: capture what the platform showed before a block's first push, and at the block's
 * end put it back only if the platform still shows the block's own status (or nothing).
 */
describe('SpanRestoreGuard', () => {
  const USER = 'u-1';

  function update(fields: Partial<StatusUpdateEntity>): StatusUpdateEntity {
    return { id: 'upd-1', source: 'schedule', emoji: null, message: null, platformOverrides: null, ...fields } as StatusUpdateEntity;
  }

  /** A guard over in-memory repositories: `toCapture` / `restoredBy` say which part of a block `upd-1` is. */
  function guardFor(block: { toCapture?: boolean; shown?: StatusUpdateEntity | null }, reading: PlatformStatusReading) {
    const captured: unknown[] = [];
    const restores = {
      toCapture: async () => (block.toCapture ? { shownUpdateId: 'x' } : null),
      restoredBy: async () => (block.shown === undefined ? null : { shownUpdateId: block.shown?.id ?? 'gone' }),
      capture: async (_db: unknown, userId: string, platform: string, previous: unknown) => void captured.push({ userId, platform, previous }),
    } as unknown as SpanRestoresRepository;
    const updates = { findById: async (_db: unknown, id: string) => (block.shown?.id === id ? block.shown : null) } as unknown as StatusUpdatesRepository;
    const scope = { run: (_userId: string, work: (db: unknown) => Promise<unknown>) => work({}) } as unknown as UserScope;
    const reads: string[] = [];
    const adapter = { readStatus: async (token: string) => (reads.push(token), reading) } as unknown as PlatformAdapter;
    const guard = new SpanRestoreGuard(scope, restores, updates);
    return { decide: (u: StatusUpdateEntity, platform = 'slack') => guard.beforePush(USER, u, platform, adapter, 'tok'), captured, reads };
  }

  const nothing: PlatformStatusReading = { emoji: null, message: null, expiresAt: null };
  const showing = (emoji: string | null, message: string | null): PlatformStatusReading => ({ emoji, message, expiresAt: null });

  it('pushes the user’s own updates without reading the platform', async () => {
    for (const source of ['manual', 'preset', 'template'] as const) {
      const { decide, reads } = guardFor({ toCapture: true }, showing(':x:', 'theirs'));
      expect(await decide(update({ source }))).toBe('push');
      expect(reads).toEqual([]);
    }
  });

  it('captures what the platform showed before the block’s first push, then pushes', async () => {
    const before = showing(':palm_tree:', 'On leave');
    const { decide, captured, reads } = guardFor({ toCapture: true }, before);
    expect(await decide(update({ source: 'calendar' }), 'github')).toBe('push');
    expect(reads).toEqual(['tok']);
    expect(captured).toEqual([{ userId: USER, platform: 'github', previous: before }]);
  });

  it('pushes a span update that is neither a capture nor a restore without reading the platform', async () => {
    const { decide, reads, captured } = guardFor({}, showing(':x:', 'theirs'));
    expect(await decide(update({}))).toBe('push');
    expect(reads).toEqual([]);
    expect(captured).toEqual([]);
  });

  it('restores when the platform still shows the block’s status (emoji compared by meaning, not spelling)', async () => {
    const shown = update({ id: 'shown', emoji: ':calendar:', message: 'In a meeting' });
    const { decide } = guardFor({ shown }, showing('📆', 'In a meeting'));
    expect(await decide(update({}))).toBe('push');
  });

  it('compares with the per-platform override the block set on that platform', async () => {
    const shown = update({ id: 'shown', emoji: ':calendar:', message: 'In a meeting', platformOverrides: { slack: { emoji: ':custom-busy:' } } });
    expect(await guardFor({ shown }, showing(':custom-busy:', 'In a meeting')).decide(update({}), 'slack')).toBe('push');
    // On GitHub the block showed the shared emoji: the Slack override there means the user changed it.
    expect(await guardFor({ shown }, showing(':custom-busy:', 'In a meeting')).decide(update({}), 'github')).toBe('keep-user-status');
  });

  it('restores when the platform shows nothing (the block’s status expired)', async () => {
    const shown = update({ id: 'shown', emoji: ':calendar:', message: 'In a meeting' });
    expect(await guardFor({ shown }, nothing).decide(update({}))).toBe('push');
  });

  it('keeps what the user set on the platform themselves during the block', async () => {
    const shown = update({ id: 'shown', emoji: ':calendar:', message: 'In a meeting' });
    expect(await guardFor({ shown }, showing(':calendar:', 'Back at 3')).decide(update({}))).toBe('keep-user-status');
    expect(await guardFor({ shown }, showing(':coffee:', 'In a meeting')).decide(update({}))).toBe('keep-user-status');
    // A message-only status of theirs, on a block that set only an emoji.
    const emojiOnly = update({ id: 'shown', emoji: ':calendar:', message: null });
    expect(await guardFor({ shown: emojiOnly }, showing(null, 'Heads down')).decide(update({}))).toBe('keep-user-status');
    expect(await guardFor({ shown: emojiOnly }, showing(':calendar:', null)).decide(update({}))).toBe('push');
  });

  it('restores when the update the block showed is gone', async () => {
    const { decide, reads } = guardFor({ shown: null }, showing(':x:', 'theirs'));
    expect(await decide(update({}))).toBe('push');
    expect(reads).toEqual([]);
  });
});

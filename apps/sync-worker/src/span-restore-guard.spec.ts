import type { SpanGuardFacts, SpanRestoresRepository, UserScope } from '@statusync/db';
import type { PlatformAdapter, PlatformStatusReading } from '@statusync/platforms';
import { SpanRestoreGuard } from './span-restore-guard';

/**
 * The worker's side of Restore: capture what the platform showed before a block's first push, and at the block's
 * end put it back only if the platform still shows the block's own status (or nothing). Which part of a block an
 * update is the claim reads (statusync_span_guard, tested against Postgres in test/medium/span-guard-claim).
 */
describe('SpanRestoreGuard', () => {
  const USER = 'u-1';
  type Ours = NonNullable<SpanGuardFacts['ours']>;

  function shownStatus(fields: Partial<Ours>): Ours {
    return { emoji: null, message: null, platformOverrides: null, ...fields };
  }

  /** A guard over an in-memory capture; `facts` is what the claim answered (null: the user's own update). */
  function guardFor(facts: SpanGuardFacts | null, reading: PlatformStatusReading) {
    const captured: unknown[] = [];
    const batches: number[] = [];
    const restores = {
      capture: async (_db: unknown, userId: string, platform: string, previous: unknown) => void captured.push({ userId, platform, previous }),
      captureMany: async (_db: unknown, many: { userId: string; platform: string; previous: unknown }[]) => {
        batches.push(many.length);
        captured.push(...many);
      },
    } as unknown as SpanRestoresRepository;
    const scope = { selfScoped: (work: (db: unknown) => Promise<unknown>) => work({}) } as unknown as UserScope;
    const reads: string[] = [];
    const adapter = { readStatus: async (token: string) => (reads.push(token), reading) } as unknown as PlatformAdapter;
    const guard = new SpanRestoreGuard(scope, restores);
    return { decide: (platform = 'slack', userId = USER) => guard.beforePush(userId, facts, platform, adapter, 'tok'), captured, reads, batches };
  }
  const restoring = (ours: Ours | null): SpanGuardFacts => ({ capture: false, ours });

  const nothing: PlatformStatusReading = { emoji: null, message: null, expiresAt: null };
  const showing = (emoji: string | null, message: string | null): PlatformStatusReading => ({ emoji, message, expiresAt: null });

  it('pushes the user’s own updates without reading the platform', async () => {
    const { decide, reads } = guardFor(null, showing(':x:', 'theirs'));
    expect(await decide()).toBe('push');
    expect(reads).toEqual([]);
  });

  it('captures what the platform showed before the block’s first push, then pushes', async () => {
    const before = showing(':palm_tree:', 'On leave');
    const { decide, captured, reads } = guardFor({ capture: true, ours: null }, before);
    expect(await decide('github')).toBe('push');
    expect(reads).toEqual(['tok']);
    expect(captured).toEqual([{ userId: USER, platform: 'github', previous: before }]);
  });

  it('captures for jobs pushing at the same moment in one statement', async () => {
    const before = showing(':palm_tree:', 'On leave');
    const { decide, captured, batches } = guardFor({ capture: true, ours: null }, before);
    expect(await Promise.all([decide('github', 'u-1'), decide('github', 'u-2'), decide('slack', 'u-3')])).toEqual(['push', 'push', 'push']);
    expect(batches).toEqual([3]);
    expect(captured).toEqual([
      { userId: 'u-1', platform: 'github', previous: before },
      { userId: 'u-2', platform: 'github', previous: before },
      { userId: 'u-3', platform: 'slack', previous: before },
    ]);
  });

  it('pushes a span update that is neither a capture nor a restore (or whose shown update is gone) without reading the platform', async () => {
    const { decide, reads, captured } = guardFor(restoring(null), showing(':x:', 'theirs'));
    expect(await decide()).toBe('push');
    expect(reads).toEqual([]);
    expect(captured).toEqual([]);
  });

  it('restores when the platform still shows the block’s status (emoji compared by meaning, not spelling)', async () => {
    const shown = shownStatus({ emoji: ':calendar:', message: 'In a meeting' });
    expect(await guardFor(restoring(shown), showing('📆', 'In a meeting')).decide()).toBe('push');
  });

  it('compares with the per-platform override the block set on that platform', async () => {
    const shown = shownStatus({ emoji: ':calendar:', message: 'In a meeting', platformOverrides: { slack: { emoji: ':custom-busy:' } } });
    expect(await guardFor(restoring(shown), showing(':custom-busy:', 'In a meeting')).decide('slack')).toBe('push');
    // On GitHub the block showed the shared emoji: the Slack override there means the user changed it.
    expect(await guardFor(restoring(shown), showing(':custom-busy:', 'In a meeting')).decide('github')).toBe('keep-user-status');
  });

  it('restores when the platform shows nothing (the block’s status expired)', async () => {
    const shown = shownStatus({ emoji: ':calendar:', message: 'In a meeting' });
    expect(await guardFor(restoring(shown), nothing).decide()).toBe('push');
  });

  it('keeps what the user set on the platform themselves during the block', async () => {
    const shown = shownStatus({ emoji: ':calendar:', message: 'In a meeting' });
    expect(await guardFor(restoring(shown), showing(':calendar:', 'Back at 3')).decide()).toBe('keep-user-status');
    expect(await guardFor(restoring(shown), showing(':coffee:', 'In a meeting')).decide()).toBe('keep-user-status');
    // A message-only status of theirs, on a block that set only an emoji.
    const emojiOnly = shownStatus({ emoji: ':calendar:', message: null });
    expect(await guardFor(restoring(emojiOnly), showing(null, 'Heads down')).decide()).toBe('keep-user-status');
    expect(await guardFor(restoring(emojiOnly), showing(':calendar:', null)).decide()).toBe('push');
  });
});

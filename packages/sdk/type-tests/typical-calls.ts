// Compiled with `tsc --noEmit` by packages/sdk/src/typed-calls.spec.ts: typical calls must type-check against the
// generated types, and each `@ts-expect-error` line must NOT (an unused @ts-expect-error is itself an error).
import { createStatusyncClient, type AcceptedUpdate, type StatusUpdate, type StatusyncError } from '../src/index.js';

export async function typicalCalls(): Promise<void> {
  const client = createStatusyncClient({ baseUrl: 'http://localhost:3000', token: () => 'jwt' });

  const accepted: AcceptedUpdate = await client.status.update({ emoji: ':coffee:', message: 'Taking a break', durationMinutes: 15, platforms: ['slack'] });
  await client.status.update({ emoji: ':coffee:' });
  await client.status.update({ message: 'Heads down', limitedAvailability: true });
  const update: StatusUpdate = await client.status.settled(accepted.id);
  const message: string | null = update.message;
  const state: 'pending' | 'succeeded' | 'partially_failed' | 'failed' = update.state;
  await client.status.preset('busy', { minutes: 30 });
  for await (const page of client.history.list({ limit: 10, platform: 'github' })) {
    const cursor: string | null | undefined = page.nextCursor;
    void cursor;
  }
  const availability = await client.teams.availability('5b0f7c1e-2d7a-4c53-9a0e-7d3f4b2c1a90');
  const who: string | undefined = availability.items[0]?.subject;
  const error = undefined as unknown as StatusyncError;
  const fields: { field: string; reason: string }[] = error.fieldErrors;
  void [message, state, who, fields];

  // @ts-expect-error a status update needs a message or an emoji
  await client.status.update({});
  // @ts-expect-error a status update needs a message or an emoji, not only platforms
  await client.status.update({ platforms: ['slack'] });
  // @ts-expect-error platforms are github or slack
  await client.status.update({ message: 'x', platforms: ['teams'] });
  // @ts-expect-error durationMinutes is a number
  await client.status.update({ message: 'x', durationMinutes: '15' });
  // @ts-expect-error emoji is string | null, never a number
  const wrong: number = update.emoji;
  void wrong;
  // @ts-expect-error the raw client knows every path: this one does not exist
  await client.raw.GET('/api/v1/status/nowhere');
}

import { ProblemException } from '@statusync/core';
import { PRESETS } from './presets';
import { StatusRequests } from './status-request.factory';

const NOW = new Date('2026-11-24T12:00:00.000Z');
const minutesAfterNow = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

function problemOf(run: () => unknown): ProblemException {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemException);
    return error as ProblemException;
  }
  throw new Error('expected a ProblemException');
}

describe('StatusRequests.update', () => {
  it('takes the fields as given, with no expiry by default', () => {
    expect(StatusRequests.update({ emoji: ':coffee:', message: 'Coffee', limitedAvailability: true, platforms: ['slack'] }, NOW)).toEqual({
      kind: 'set',
      preset: null,
      emoji: ':coffee:',
      message: 'Coffee',
      limitedAvailability: true,
      expiresAt: null,
      platforms: ['slack'],
    });
  });

  it('accepts an emoji alone or a message alone; limitedAvailability defaults to false; platforms stay undefined', () => {
    expect(StatusRequests.update({ emoji: ':coffee:' }, NOW)).toMatchObject({ emoji: ':coffee:', message: null, limitedAvailability: false, platforms: undefined });
    expect(StatusRequests.update({ message: 'Coffee' }, NOW)).toMatchObject({ emoji: null, message: 'Coffee' });
  });

  it('expires at expiresAt when given', () => {
    expect(StatusRequests.update({ message: 'x', expiresAt: '2026-11-25T17:00:00+01:00' }, NOW).expiresAt).toEqual(new Date('2026-11-25T16:00:00Z'));
  });

  it('expires durationMinutes after now when given', () => {
    expect(StatusRequests.update({ message: 'x', durationMinutes: 45 }, NOW).expiresAt).toEqual(minutesAfterNow(45));
  });

  it('refuses expiresAt and durationMinutes together with a 400 naming the field', () => {
    const problem = problemOf(() => StatusRequests.update({ message: 'x', expiresAt: '2026-11-25T17:00:00Z', durationMinutes: 45 }, NOW));
    expect(problem.getStatus()).toBe(400);
    expect(problem.slug).toBe('validation');
    expect(problem.errors).toEqual([{ field: 'durationMinutes', reason: expect.stringContaining('not both') }]);
  });

  it.each([{}, { message: '' }, { emoji: '' }, { limitedAvailability: true, durationMinutes: 30 }])('refuses %p (neither emoji nor message) with a 400', (dto) => {
    const problem = problemOf(() => StatusRequests.update(dto, NOW));
    expect(problem.getStatus()).toBe(400);
    expect(problem.errors).toEqual([{ field: 'message', reason: expect.stringContaining('/api/v1/status/clear') }]);
  });
});

describe('StatusRequests.preset', () => {
  it('uses the preset and its default duration (lunch: 60 minutes)', () => {
    expect(StatusRequests.preset('lunch', PRESETS.lunch, {}, NOW)).toEqual({
      kind: 'set',
      preset: 'lunch',
      emoji: ':hamburger:',
      message: 'Out for lunch',
      limitedAvailability: false,
      expiresAt: minutesAfterNow(60),
      platforms: undefined,
    });
  });

  it('keeps a preset without default duration open-ended (away)', () => {
    expect(StatusRequests.preset('away', PRESETS.away, {}, NOW)).toMatchObject({ emoji: ':palm_tree:', limitedAvailability: true, expiresAt: null });
  });

  it('lets the caller override message, duration, expiry and platforms, but not emoji or limitedAvailability', () => {
    const overridden = StatusRequests.preset('busy', PRESETS.busy, { message: 'Writing the report', durationMinutes: 15, platforms: ['github'] }, NOW);
    expect(overridden).toMatchObject({ preset: 'busy', emoji: ':no_entry:', message: 'Writing the report', limitedAvailability: true, expiresAt: minutesAfterNow(15), platforms: ['github'] });

    expect(StatusRequests.preset('busy', PRESETS.busy, { expiresAt: '2026-11-24T13:30:00Z' }, NOW).expiresAt).toEqual(new Date('2026-11-24T13:30:00Z'));
    expect(StatusRequests.preset('working', PRESETS.working, { durationMinutes: 90 }, NOW).expiresAt).toEqual(minutesAfterNow(90));
  });

  it('refuses expiresAt and durationMinutes together, even where the preset has a default', () => {
    const problem = problemOf(() => StatusRequests.preset('lunch', PRESETS.lunch, { expiresAt: '2026-11-24T13:30:00Z', durationMinutes: 30 }, NOW));
    expect(problem.getStatus()).toBe(400);
    expect(problem.errors?.map((e) => e.field)).toEqual(['durationMinutes']);
  });
});

describe('StatusRequests.clear', () => {
  it('is a clear with every status field empty', () => {
    expect(StatusRequests.clear({})).toEqual({ kind: 'clear', preset: null, emoji: null, message: null, limitedAvailability: false, expiresAt: null, platforms: undefined });
    expect(StatusRequests.clear({ platforms: ['github'] }).platforms).toEqual(['github']);
  });
});

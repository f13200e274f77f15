import { ProblemException } from '@statusync/core';
import { parseCallbackQuery } from './callback-query';

describe('parseCallbackQuery', () => {
  it('reads code, state and error, and tolerates parameters a provider adds', () => {
    expect(parseCallbackQuery({ code: 'abc', state: 'x.y', error_uri: 'https://docs.example', iss: 'https://slack.com' })).toEqual({ code: 'abc', state: 'x.y', error: null });
    expect(parseCallbackQuery({ error: 'access_denied', error_description: 'The user has denied your application access.', state: 's' })).toEqual({ code: null, state: 's', error: 'access_denied' });
    expect(parseCallbackQuery({ code: '', state: '' })).toEqual({ code: null, state: null, error: null });
  });

  it.each([
    ['a repeated parameter', { state: ['a', 'b'] }, 'state'],
    ['an over-long value', { code: 'c'.repeat(2049) }, 'code'],
    ['control characters', { error: 'access_denied\r\nX-Injected: 1' }, 'error'],
  ])('refuses %s with a 400 naming the field', (_what, query, field) => {
    let thrown: unknown;
    try {
      parseCallbackQuery(query);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProblemException);
    expect((thrown as ProblemException).getStatus()).toBe(400);
    expect((thrown as ProblemException).errors).toEqual([{ field, reason: expect.stringContaining(field) }]);
  });
});

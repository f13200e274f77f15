import { ErrorCode } from '@slack/web-api';
import { PlatformAuthError, PlatformInputError, PlatformRateLimitError, PlatformUnavailableError } from '../platform-errors';
import { toSlackError } from './slack-errors';

/** What each kind of failure @slack/web-api throws becomes: retried or not, re-authorisation or not, and how long to wait. */
describe('toSlackError', () => {
  const platformError = (error: string | undefined) => ({ code: ErrorCode.PlatformError, message: `An API error occurred: ${error}`, data: { error } });

  it('waits out a rate limit for the Retry-After Slack sent, or a minute without one', () => {
    expect(toSlackError({ code: ErrorCode.RateLimitedError, message: 'limited', retryAfter: 7 })).toMatchObject({ code: 'ratelimited', retryAfterMs: 7_000, permanent: false });
    expect(toSlackError({ code: ErrorCode.RateLimitedError, message: 'limited' })).toMatchObject({ retryAfterMs: 60_000 });
    const inBody = toSlackError(platformError('ratelimited'));
    expect(inBody).toBeInstanceOf(PlatformRateLimitError);
    expect(inBody).toMatchObject({ retryAfterMs: 60_000 });
  });

  it('asks for re-authorisation on a token Slack will not take', () => {
    for (const code of ['invalid_auth', 'token_revoked', 'token_expired', 'missing_scope', 'account_inactive']) {
      const error = toSlackError(platformError(code));
      expect(error).toBeInstanceOf(PlatformAuthError);
      expect(error).toMatchObject({ platform: 'slack', code, permanent: true });
    }
  });

  it('retries Slack’s own trouble, and refuses for good what it rejects as input', () => {
    expect(toSlackError(platformError('internal_error'))).toBeInstanceOf(PlatformUnavailableError);
    expect(toSlackError(platformError('profile_set_failed_try_again'))).toMatchObject({ permanent: false });
    expect(toSlackError(platformError('too_long'))).toBeInstanceOf(PlatformInputError);
    expect(toSlackError(platformError(undefined))).toMatchObject({ code: 'unknown_error', permanent: true });
  });

  it('says what a person can do about profile_set_failed: an emoji the workspace lacks', () => {
    const error = toSlackError(platformError('profile_set_failed'));
    expect(error).toMatchObject({ code: 'profile_set_failed', permanent: true });
    expect(error.message).toBe('An API error occurred: profile_set_failed; one cause is a status emoji this workspace does not have (a custom emoji such as :party-parrot: must exist in it)');
    expect(toSlackError(platformError('too_long')).message).toBe('An API error occurred: too_long');
  });

  it('retries 5xx and 429 HTTP answers, and refuses other 4xx', () => {
    expect(toSlackError({ code: ErrorCode.HTTPError, message: 'bad gateway', statusCode: 502 })).toMatchObject({ code: 'http_502', permanent: false });
    expect(toSlackError({ code: ErrorCode.HTTPError, message: 'too many', statusCode: 429 })).toMatchObject({ code: 'http_429', permanent: false });
    expect(toSlackError({ code: ErrorCode.HTTPError, message: 'no status' })).toMatchObject({ permanent: false });
    expect(toSlackError({ code: ErrorCode.HTTPError, message: 'gone', statusCode: 410 })).toMatchObject({ code: 'http_410', permanent: true });
  });

  it('tells a timeout from another network failure, both retried', () => {
    expect(toSlackError({ code: ErrorCode.RequestError, message: 'A request error occurred: timeout of 3000ms exceeded' })).toMatchObject({ code: 'timeout', permanent: false });
    expect(toSlackError({ code: ErrorCode.RequestError, message: 'A request error occurred: The operation was aborted' })).toMatchObject({ code: 'timeout' });
    expect(toSlackError({ code: ErrorCode.RequestError, message: 'A request error occurred: ECONNREFUSED' })).toMatchObject({ code: 'network_error', permanent: false });
  });

  it('reads a 429 the SDK could not parse as a rate limit, and anything else as a passing failure', () => {
    const unparsed = new Error('Retry header did not contain a valid timeout (url: https://slack.com/api/users.profile.set, retry-after header: null)');
    expect(toSlackError(unparsed)).toMatchObject({ code: 'ratelimited', retryAfterMs: 60_000 });
    expect(toSlackError(new Error('socket hang up'))).toMatchObject({ code: 'unknown_error', permanent: false, message: 'socket hang up' });
    expect(toSlackError(undefined)).toMatchObject({ code: 'unknown_error', message: 'undefined' });
  });

  it('passes an error that is already typed through unchanged', () => {
    const typed = new PlatformAuthError('slack', 'token_revoked', 'revoked');
    expect(toSlackError(typed)).toBe(typed);
  });
});

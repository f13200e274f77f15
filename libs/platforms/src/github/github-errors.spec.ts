import { PlatformAuthError, PlatformInputError, PlatformRateLimitError, PlatformUnavailableError } from '../platform-errors';
import { toGithubError } from './github-errors';

/** What each kind of failure @octokit/graphql throws becomes: retried or not, re-authorisation or not, and how long to wait. */
describe('toGithubError', () => {
  const graphqlError = (errors?: { type?: string; message?: string }[], headers?: Record<string, string>) => ({ name: 'GraphqlResponseError', errors, headers });
  const httpError = (status: number, message: string, headers?: Record<string, string>) => ({ name: 'HttpError', status, message, response: { headers } });

  it('waits out a GraphQL rate limit for Retry-After, the primary limit’s reset, or a minute', () => {
    expect(toGithubError(graphqlError([{ type: 'RATE_LIMITED', message: 'API rate limit exceeded' }], { 'retry-after': '30' }))).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 30_000 });
    const reset = String(Math.floor(Date.now() / 1000) + 120);
    const untilReset = toGithubError(graphqlError([{ type: 'RATE_LIMIT' }], { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }));
    expect(untilReset).toBeInstanceOf(PlatformRateLimitError);
    expect((untilReset as PlatformRateLimitError).retryAfterMs).toBeGreaterThan(100_000);
    expect(toGithubError(graphqlError([{ message: 'You have exceeded a secondary rate limit' }]))).toMatchObject({ code: 'GRAPHQL_ERROR', retryAfterMs: 60_000 });
  });

  it('asks for re-authorisation on missing scopes or a forbidden call', () => {
    for (const type of ['INSUFFICIENT_SCOPES', 'FORBIDDEN']) expect(toGithubError(graphqlError([{ type, message: 'no' }]))).toBeInstanceOf(PlatformAuthError);
  });

  it('retries GitHub’s own failure to run the query, and refuses other GraphQL errors for good', () => {
    expect(toGithubError(graphqlError([{ message: 'Something went wrong while executing your query. Please try again.' }]))).toBeInstanceOf(PlatformUnavailableError);
    expect(toGithubError(graphqlError([{ type: 'UNPROCESSABLE', message: 'emoji is invalid' }]))).toBeInstanceOf(PlatformInputError);
    expect(toGithubError(graphqlError())).toMatchObject({ code: 'GRAPHQL_ERROR', message: 'GitHub answered with errors', permanent: true });
  });

  it('maps HTTP answers: 401 bad credentials, 403 limited or forbidden, 429 limited, 5xx retried, other 4xx refused', () => {
    expect(toGithubError(httpError(401, 'Bad credentials'))).toMatchObject({ code: 'bad_credentials', permanent: true });
    expect(toGithubError(httpError(403, 'API rate limit exceeded', { 'retry-after': '5' }))).toMatchObject({ code: 'http_403', retryAfterMs: 5_000 });
    expect(toGithubError(httpError(403, 'You have triggered an abuse detection mechanism'))).toMatchObject({ code: 'http_403', retryAfterMs: 60_000 });
    expect(toGithubError(httpError(403, 'Resource not accessible by integration'))).toMatchObject({ code: 'forbidden', permanent: true });
    expect(toGithubError(httpError(429, 'Too many requests'))).toMatchObject({ code: 'http_429', retryAfterMs: 60_000 });
    expect(toGithubError(httpError(502, 'Bad gateway', { 'retry-after': '2' }))).toMatchObject({ code: 'http_502', permanent: false, retryAfterMs: 2_000 });
    expect(toGithubError(httpError(422, 'Unprocessable'))).toMatchObject({ code: 'http_422', permanent: true });
  });

  it('tells our timeout (an abort, even only as the cause) from another network failure, both retried', () => {
    expect(toGithubError({ name: 'HttpError', status: 500, message: 'fetch failed', cause: { name: 'AbortError' } })).toMatchObject({ code: 'timeout', permanent: false });
    expect(toGithubError({ name: 'TimeoutError', message: 'signal timed out' })).toMatchObject({ code: 'timeout' });
    expect(toGithubError({ name: 'HttpError', status: 500, message: 'connect ECONNREFUSED 127.0.0.1:1' })).toMatchObject({ code: 'network_error', permanent: false });
    expect(toGithubError(undefined)).toMatchObject({ code: 'network_error', message: 'undefined' });
  });

  it('passes an error that is already typed through unchanged', () => {
    const typed = new PlatformInputError('github', 'too_long', 'too long');
    expect(toGithubError(typed)).toBe(typed);
  });
});

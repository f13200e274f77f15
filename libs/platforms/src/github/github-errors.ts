import {
  PlatformAuthError,
  PlatformError,
  PlatformInputError,
  PlatformRateLimitError,
  PlatformUnavailableError,
  retryAfterMsFrom,
} from '../platform-errors';

const PLATFORM = 'github';
/** GitHub's advice when a secondary limit gives no other hint: wait at least a minute. */
const SECONDARY_LIMIT_DEFAULT_MS = 60_000;

type Headers = Record<string, string | number | undefined>;

interface GraphqlErrorLike {
  name: 'GraphqlResponseError';
  headers?: Headers;
  errors?: { type?: string; message?: string }[];
}

interface RequestErrorLike {
  name: 'HttpError' | string;
  status?: number;
  response?: { headers?: Headers; data?: unknown };
  message: string;
}

/** How long GitHub asked us to wait: `retry-after` first, then the primary-limit reset time. */
function waitFrom(headers: Headers | undefined, now = Date.now()): number | undefined {
  const retryAfter = retryAfterMsFrom(headers?.['retry-after'] as string | undefined, now);
  if (retryAfter !== undefined) return retryAfter;
  if (String(headers?.['x-ratelimit-remaining']) === '0' && headers?.['x-ratelimit-reset'] !== undefined) {
    return Math.max(1000, Number(headers['x-ratelimit-reset']) * 1000 - now);
  }
  return undefined;
}

const isSecondaryLimit = (message: string | undefined) => /secondary rate limit|abuse detection/i.test(message ?? '');
/** GitHub's answer (HTTP 200, `data: null`) when a query timed out or failed on its side: worth another try. */
const isGithubFailure = (message: string | undefined) => /something went wrong while executing your query/i.test(message ?? '');

/** Maps what @octokit/graphql throws to our typed platform errors. */
export function toGithubError(error: unknown): PlatformError {
  if (error instanceof PlatformError) return error;
  const name = (error as { name?: string })?.name;
  if (name === 'GraphqlResponseError') {
    const { headers, errors = [] } = error as GraphqlErrorLike;
    const first = errors[0] ?? {};
    const type = first.type ?? 'GRAPHQL_ERROR';
    const message = first.message ?? 'GitHub answered with errors';
    if (type === 'RATE_LIMITED' || type === 'RATE_LIMIT' || isSecondaryLimit(message)) {
      return new PlatformRateLimitError(PLATFORM, type, message, waitFrom(headers) ?? SECONDARY_LIMIT_DEFAULT_MS);
    }
    if (type === 'INSUFFICIENT_SCOPES' || type === 'FORBIDDEN') return new PlatformAuthError(PLATFORM, type, message);
    if (isGithubFailure(message)) return new PlatformUnavailableError(PLATFORM, type, message);
    return new PlatformInputError(PLATFORM, type, message);
  }
  const status = (error as RequestErrorLike)?.status;
  const message = (error as Error)?.message ?? String(error);
  const headers = (error as RequestErrorLike)?.response?.headers;
  if (typeof status === 'number' && status !== 500) {
    if (status === 401) return new PlatformAuthError(PLATFORM, 'bad_credentials', message);
    const wait = waitFrom(headers);
    if (status === 429 || (status === 403 && (wait !== undefined || isSecondaryLimit(message)))) {
      return new PlatformRateLimitError(PLATFORM, `http_${status}`, message, wait ?? SECONDARY_LIMIT_DEFAULT_MS);
    }
    if (status === 403) return new PlatformAuthError(PLATFORM, 'forbidden', message);
    if (status >= 500) return new PlatformUnavailableError(PLATFORM, `http_${status}`, message, wait);
    return new PlatformInputError(PLATFORM, `http_${status}`, message);
  }
  // @octokit/request reports network failures and aborts (our timeout) as status 500 without a response. It keeps
  // the abort's message only when the abort passes `instanceof Error` in its realm (not under Jest's VM), but the
  // original error always travels as `cause`, so its name is the dependable sign of our timeout.
  const causeName = (error as { cause?: { name?: unknown } })?.cause?.name;
  const aborted = [name, causeName].some((n) => n === 'AbortError' || n === 'TimeoutError');
  const code = aborted || /aborted|timeout/i.test(message) ? 'timeout' : 'network_error';
  return new PlatformUnavailableError(PLATFORM, code, message);
}

import { ErrorCode } from '@slack/web-api';
import {
  PlatformAuthError,
  PlatformError,
  PlatformInputError,
  PlatformRateLimitError,
  PlatformUnavailableError,
} from '../platform-errors';

const PLATFORM = 'slack';
/** When Slack says `ratelimited` without a Retry-After, wait a minute (its windows are per minute). */
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/** Slack error codes that mean the token cannot be used until the user re-authorises. */
const AUTH_ERRORS = new Set([
  'not_authed',
  'invalid_auth',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'missing_scope',
  'not_allowed_token_type',
  'user_is_bot',
  'no_permission',
  'org_login_required',
  'ekm_access_denied',
  'two_factor_setup_required',
]);

/** Slack error codes that are Slack's own trouble, not ours: retry later (the DND ones say only "there was a problem"). */
const TRANSIENT_ERRORS = new Set([
  'fatal_error',
  'internal_error',
  'request_timeout',
  'service_unavailable',
  'profile_set_failed_try_again',
  'snooze_failed',
  'snooze_end_failed',
]);

/**
 * What a person can do about a refusal whose code says little: Slack answers `profile_set_failed` for a status emoji
 * the workspace does not have, which a template's Slack override may name (a custom emoji cannot be checked ahead).
 */
const INPUT_ERROR_HINTS: Record<string, string> = {
  profile_set_failed: 'one cause is a status emoji this workspace does not have (a custom emoji such as :party-parrot: must exist in it)',
};

interface SlackErrorLike {
  code?: string;
  message: string;
  retryAfter?: number;
  statusCode?: number;
  data?: { error?: string };
}

/** Maps what @slack/web-api throws to our typed platform errors. */
export function toSlackError(error: unknown): PlatformError {
  if (error instanceof PlatformError) return error;
  const e = error as SlackErrorLike;
  switch (e?.code) {
    case ErrorCode.RateLimitedError:
      return new PlatformRateLimitError(PLATFORM, 'ratelimited', e.message, (e.retryAfter ?? 60) * 1000);
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      if (code === 'ratelimited') return new PlatformRateLimitError(PLATFORM, code, e.message, DEFAULT_RATE_LIMIT_WAIT_MS);
      if (AUTH_ERRORS.has(code)) return new PlatformAuthError(PLATFORM, code, e.message);
      if (TRANSIENT_ERRORS.has(code)) return new PlatformUnavailableError(PLATFORM, code, e.message);
      const hint = INPUT_ERROR_HINTS[code];
      return new PlatformInputError(PLATFORM, code, hint ? `${e.message}; ${hint}` : e.message);
    }
    case ErrorCode.HTTPError:
      return (e.statusCode ?? 500) >= 500 || e.statusCode === 429
        ? new PlatformUnavailableError(PLATFORM, `http_${e.statusCode}`, e.message)
        : new PlatformInputError(PLATFORM, `http_${e.statusCode}`, e.message);
    case ErrorCode.RequestError:
      return new PlatformUnavailableError(PLATFORM, /timeout|abort/i.test(e.message) ? 'timeout' : 'network_error', e.message);
    default:
      // e.g. a 429 without a usable Retry-After, which the SDK reports as a plain Error whose message does not say
      // 429: "Retry header did not contain a valid timeout (url: ..., retry-after header: null)".
      if (/429|rate.?limit|retry header did not contain/i.test(e?.message ?? '')) {
        return new PlatformRateLimitError(PLATFORM, 'ratelimited', e.message, DEFAULT_RATE_LIMIT_WAIT_MS);
      }
      return new PlatformUnavailableError(PLATFORM, 'unknown_error', e?.message ?? String(error));
  }
}

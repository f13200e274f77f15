/**
 * Failures every adapter maps the platform's answers to. The worker decides retry vs. give-up by class alone:
 * permanent errors (auth, input) are never retried; transient ones (rate limit, unavailable) are.
 * `code` is the platform's own error code (e.g. `token_revoked`, `INSUFFICIENT_SCOPES`), shown to users.
 */
export abstract class PlatformError extends Error {
  abstract readonly permanent: boolean;

  constructor(
    readonly platform: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The token is bad, revoked, expired or lacks a scope: the user must re-authorise. */
export class PlatformAuthError extends PlatformError {
  readonly permanent = true;
}

/** The platform refused the status itself (too long, unknown emoji...). Retrying cannot help. */
export class PlatformInputError extends PlatformError {
  readonly permanent = true;
}

/** The platform asked us to slow down; `retryAfterMs` is how long it asked us to wait. */
export class PlatformRateLimitError extends PlatformError {
  readonly permanent = false;

  constructor(platform: string, code: string, message: string, readonly retryAfterMs: number) {
    super(platform, code, message);
  }
}

/** Network failure, timeout or 5xx: worth another try later. */
export class PlatformUnavailableError extends PlatformError {
  readonly permanent = false;

  constructor(platform: string, code: string, message: string, readonly retryAfterMs?: number) {
    super(platform, code, message);
  }
}

/** delta-seconds are plain digits (fractions tolerated); Number() alone would also take '', '0x10' and '1e3'. */
const DELTA_SECONDS = /^\d+(\.\d+)?$/;
/** Every HTTP-date form has an hh:mm:ss time; Date.parse alone turns garbage such as '-5' or 'foo 2020' into a date. */
const HTTP_DATE_TIME = /\b\d{2}:\d{2}:\d{2}\b/;

/** Seconds from a `Retry-After` header (delta-seconds or HTTP date) as milliseconds, or undefined. */
export function retryAfterMsFrom(value: string | number | null | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  if (DELTA_SECONDS.test(text)) return Math.ceil(Number(text) * 1000);
  if (!HTTP_DATE_TIME.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

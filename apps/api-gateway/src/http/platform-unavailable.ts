import { ProblemException } from '@statusync/core';
import { PlatformError } from '@statusync/platforms';

/** When the platform asked for no particular wait. */
const DEFAULT_RETRY_AFTER_MS = 5_000;

/**
 * The 503 for a platform the gateway had to reach synchronously (checking a token, completing an OAuth flow)
 * and could not: passes on how long the platform asked us to wait.
 */
export function platformUnavailable(platform: string, error: PlatformError, what: string): ProblemException {
  const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
  return new ProblemException(503, 'platform-unavailable', 'Platform unavailable', `${platform} could not be reached to ${what} (${error.code}); try again`, undefined, {
    platform,
    platformError: error.code,
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
  });
}

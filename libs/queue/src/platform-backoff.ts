export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
}

/** Errors that carry the wait a platform asked for (PlatformRateLimitError, some PlatformUnavailableErrors). */
interface AskedWait {
  retryAfterMs?: number;
}

/**
 * Delay before retry number `attemptsMade`: exponential (base · 2^(n-1), capped) with equal jitter, so a
 * burst of failures does not retry in lockstep; never shorter than the wait the platform asked for.
 */
export function platformBackoff(settings: BackoffSettings, random: () => number = Math.random) {
  return (attemptsMade: number, _type?: string, error?: Error): number => {
    const exponential = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.max(0, attemptsMade - 1));
    const jittered = Math.round(exponential / 2 + (random() * exponential) / 2);
    const asked = (error as AskedWait | undefined)?.retryAfterMs ?? 0;
    return Math.max(jittered, asked);
  };
}

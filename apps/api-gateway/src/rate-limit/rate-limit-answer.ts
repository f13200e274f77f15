import { ProblemException } from '@statusync/core';
import type { FastifyReply } from 'fastify';
import { RateLimitVerdict } from './rate-limits';

const WINDOW_NAMES: Record<number, string> = { 60: 'minute', 3_600: 'hour' };

/**
 * Tells the caller where they stand, on every answer, in the IETF draft's fields (draft-ietf-httpapi-ratelimit-
 * headers, the separate-field form that clients and proxies understand): limit, remaining, seconds to reset,
 * and the policy (`100;w=3600`). Refuses with 429 + Retry-After when the budget is spent.
 */
export function answerRateLimit(reply: FastifyReply, verdict: RateLimitVerdict): void {
  const { budget } = verdict;
  void reply.header('RateLimit-Limit', String(budget.points));
  void reply.header('RateLimit-Remaining', String(verdict.remaining));
  void reply.header('RateLimit-Reset', String(verdict.resetSeconds));
  void reply.header('RateLimit-Policy', `${budget.points};w=${budget.windowSeconds}`);
  if (verdict.allowed) return;
  const per = WINDOW_NAMES[budget.windowSeconds] ?? `${budget.windowSeconds} seconds`;
  throw new ProblemException(
    429,
    'too-many-requests',
    'Too Many Requests',
    `Rate limit reached: ${budget.points} ${budget.name === 'public' ? 'requests' : budget.name} per ${per}; retry after ${verdict.resetSeconds} seconds`,
    undefined,
    { retryAfterSeconds: verdict.resetSeconds },
  );
}

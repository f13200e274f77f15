import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ProblemDetailsFilter } from '@statusync/core';
import { answerRateLimit } from './rate-limit-answer';
import { RateLimits } from './rate-limits';

/**
 * Public pages Fastify serves itself (outside Nest, so out of RateLimitGuard's reach) draw on the same
 * per-address budget as @Public() routes. That is the API docs: unauthenticated, and a cheap way to make us
 * work. Bull Board is not limited: it has its own password, and its page polls its API every few seconds.
 */
export function limitPublicPaths(app: NestFastifyApplication, limits: RateLimits, isLimited: (url: string) => boolean): void {
  // These routes were added outside Nest, so its exception filters never see their errors: answer here.
  const problems = new ProblemDetailsFilter();
  app.getHttpAdapter().getInstance().addHook('onRequest', async (request, reply) => {
    if (!isLimited(request.url)) return;
    try {
      answerRateLimit(reply, await limits.consume('public', request.ip));
    } catch (error) {
      problems.send(error, request, reply);
      return reply;
    }
  });
}

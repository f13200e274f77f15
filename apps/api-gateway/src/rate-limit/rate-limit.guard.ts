import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC, RATE_LIMIT_EXEMPT } from '@statusync/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthUser } from '../auth/auth-user';
import { userBudgetFor } from './budgets';
import { answerRateLimit } from './rate-limit-answer';
import { RateLimits } from './rate-limits';

/**
 * Runs after the JWT guard (registered after it in ApiGatewayModule), so it knows the user: authenticated
 * routes draw on the user's read or write budget, @Public() routes on the client address's budget. Guards
 * run before pipes, so a request refused by validation still counts, and a refused request never reaches it.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(RATE_LIMIT_EXEMPT, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: AuthUser }>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets);
    const verdict = isPublic
      ? await this.limits.consume('public', request.ip)
      : await this.limits.consume(userBudgetFor(request.method), userIdOf(request));
    answerRateLimit(http.getResponse<FastifyReply>(), verdict);
    return true;
  }
}

function userIdOf(request: { user?: AuthUser }): string {
  // Only reachable if the guards were registered in the wrong order: fail loudly rather than share one budget.
  if (!request.user) throw new Error('RateLimitGuard ran before the JWT guard set request.user');
  return request.user.id;
}

import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC, ProblemException } from '@statusync/core';
import type { FastifyRequest } from 'fastify';
import { InvalidClaimsError } from './jwt.strategy';
import { OPTIONAL_AUTH } from './optional-auth.decorator';

/**
 * Default deny: every route needs a valid bearer JWT unless marked @Public() (or @OptionalAuth(): checked only
 * when sent). 401s say why.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const targets = [context.getHandler(), context.getClass()];
    if (!this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return super.canActivate(context);
    const optional = this.reflector.getAllAndOverride<boolean>(OPTIONAL_AUTH, targets);
    return optional && context.switchToHttp().getRequest<FastifyRequest>().headers.authorization !== undefined ? super.canActivate(context) : true;
  }

  override handleRequest<T>(error: unknown, user: T, info: unknown): T {
    if (user && !error) return user;
    // Errors other than bad claims come from our side (e.g. the database): not the caller's fault, not a 401.
    if (error && !(error instanceof InvalidClaimsError)) throw error;
    const reason = reasonFor(error ?? info);
    throw new ProblemException(401, 'unauthorized', 'Unauthorized', reason);
  }
}

function reasonFor(problem: unknown): string {
  if (problem instanceof InvalidClaimsError) return problem.message;
  const message = problem instanceof Error ? problem.message : undefined;
  if (!message || message === 'No auth token') return 'missing bearer token: send Authorization: Bearer <JWT>';
  if (message === 'jwt expired') return 'token expired';
  if (message === 'jwt not active') return 'token not yet valid (nbf)';
  // jsonwebtoken's own wording is clear ("invalid signature", "jwt audience invalid. expected: ...").
  return message.startsWith('jwt ') || message.startsWith('invalid ') || message.includes('algorithm') ? message : 'invalid token';
}

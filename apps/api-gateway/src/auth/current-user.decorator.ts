import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuthUser } from './auth-user';

/** The authenticated user, set by the JWT guard. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthUser => (context.switchToHttp().getRequest<FastifyRequest & { user: AuthUser }>()).user,
);

/** The request id (from `X-Request-Id` or generated), which travels into jobs and sync logs. */
export const RequestId = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | null => {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    return request.id ? String(request.id) : null;
  },
);

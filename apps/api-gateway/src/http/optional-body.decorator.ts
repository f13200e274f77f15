import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** A body that may be left out entirely (presets, clear); validated like any other with an empty object as default. */
export const OptionalBody = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const body = context.switchToHttp().getRequest<FastifyRequest>().body;
  return body === undefined || body === null ? {} : body;
});

import { timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, ProblemDetailsFilter, ProblemException } from '@statusync/core';
import type { Queue } from 'bullmq';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../auth/auth-user';

export const BULL_BOARD_PATH = '/admin/queues';

const same = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/** Verifies a Bearer JWT as the API does; null when it is missing or invalid. */
export type BearerVerifier = (request: FastifyRequest) => Promise<AuthUser | null>;

/**
 * Bull Board at /admin/queues for an org admin's JWT (`role: admin`, sent as `Authorization: Bearer`) or the
 * operator's HTTP basic credential (BULL_BOARD_USERNAME / BULL_BOARD_PASSWORD). Without a password it is open in
 * development and admin-JWT-only in production. Returns how it was mounted, for the start-up log.
 */
export async function mountBullBoard(app: NestFastifyApplication, queues: Queue[], config: AppConfig, verify: BearerVerifier): Promise<string> {
  const { username, password } = config.bullBoard;
  const open = !password && config.env !== 'production';
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter });
  const expected = password ? `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` : null;
  // Outside Nest, so its exception filter never sees these answers: render the problem here.
  const problems = new ProblemDetailsFilter();
  const refuse = (request: FastifyRequest, reply: FastifyReply, problem: ProblemException) => {
    // Basic, not the API's Bearer: browsers then ask for the operator's password.
    if (problem.getStatus() === 401) void reply.header('www-authenticate', 'Basic realm="statusync queues"');
    problems.send(problem, request, reply);
    return reply;
  };
  await app.getHttpAdapter().getInstance().register(async (scope) => {
    if (open) return scope.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
    scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const authorization = request.headers.authorization ?? '';
      if (expected && same(authorization, expected)) return;
      if (/^Bearer /i.test(authorization)) {
        let user: AuthUser | null;
        try {
          user = await verify(request);
        } catch (error) {
          problems.send(error, request, reply);
          return reply;
        }
        if (user?.role === 'admin') return;
        if (user) return refuse(request, reply, new ProblemException(403, 'forbidden', 'Forbidden', 'The queue dashboard is for organisation admins', [{ field: 'Authorization', reason: "token role must be 'admin'" }]));
      }
      return refuse(request, reply, new ProblemException(401, 'unauthorized', 'Unauthorized', 'The queue dashboard needs an org admin token (Bearer) or the operator credential (HTTP basic auth)', [{ field: 'Authorization', reason: authorization ? 'is not an accepted credential' : 'is required' }]));
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
  });
  if (open) return `at ${BULL_BOARD_PATH} WITHOUT authentication (development only; set BULL_BOARD_PASSWORD)`;
  return `at ${BULL_BOARD_PATH} (org admin JWT${expected ? ' or basic auth' : '; set BULL_BOARD_PASSWORD for the operator login'})`;
}

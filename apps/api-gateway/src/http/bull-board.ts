import { timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, ProblemDetailsFilter, ProblemException } from '@statusync/core';
import type { Queue } from 'bullmq';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const BULL_BOARD_PATH = '/admin/queues';

const same = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * Bull Board at /admin/queues behind HTTP basic auth (BULL_BOARD_USERNAME / BULL_BOARD_PASSWORD).
 * Without a password it is open in development and not mounted at all in production.
 * Returns how it was mounted, for the start-up log.
 */
export async function mountBullBoard(app: NestFastifyApplication, queues: Queue[], config: AppConfig): Promise<string> {
  const { username, password } = config.bullBoard;
  if (!password && config.env === 'production') return 'disabled (set BULL_BOARD_PASSWORD to enable it)';
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter });
  const expected = password ? `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` : null;
  // Outside Nest, so its exception filter never sees these answers: render the problem here.
  const problems = new ProblemDetailsFilter();
  await app.getHttpAdapter().getInstance().register(async (scope) => {
    if (expected) {
      scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        if (!same(request.headers.authorization ?? '', expected)) {
          // Basic, not the API's Bearer: browsers then ask for the operator's password.
          void reply.header('www-authenticate', 'Basic realm="statusync queues"');
          problems.send(new ProblemException(401, 'unauthorized', 'Unauthorized', 'The queue dashboard needs the operator credential (HTTP basic auth)'), request, reply);
          return reply;
        }
      });
    }
    await scope.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
  });
  return expected ? `at ${BULL_BOARD_PATH} (basic auth)` : `at ${BULL_BOARD_PATH} WITHOUT authentication (development only; set BULL_BOARD_PASSWORD)`;
}

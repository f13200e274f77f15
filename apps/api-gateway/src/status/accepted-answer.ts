import type { FastifyReply } from 'fastify';
import { AuthUser } from '../auth/auth-user';
import { idempotencyKeyFrom } from '../http/idempotency-key';
import { StatusRequest } from './status-request';
import { StatusRequestsService } from './status-requests.service';
import { AcceptedUpdateView } from './status.views';

export const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description: 'Same key and body within 24 h: the first answer is returned and nothing is enqueued again.',
  example: '3f1e9a2c-retry-safe-key',
};

export interface AnswerContext {
  user: AuthUser;
  requestId: string | null;
  keyHeader: string | undefined;
  /** Route + body: what an Idempotency-Key replay must match. */
  fingerprintSource: unknown;
  reply: FastifyReply;
}

/** The 202 of every endpoint that sets a status: recorded, enqueued, `Location` to follow it, replays marked. */
export async function answerAccepted(requests: StatusRequestsService, request: StatusRequest, context: AnswerContext): Promise<AcceptedUpdateView> {
  const idempotencyKey = idempotencyKeyFrom(context.keyHeader);
  const accepted = await requests.accept(request, {
    userId: context.user.id,
    requestId: context.requestId,
    idempotencyKey,
    fingerprintSource: context.fingerprintSource,
  });
  void context.reply.header('location', accepted.view.statusUrl);
  if (accepted.replayed) void context.reply.header('idempotent-replayed', 'true');
  return accepted.view;
}

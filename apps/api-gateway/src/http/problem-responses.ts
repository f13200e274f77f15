import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

export class FieldProblemView {
  @ApiProperty({ example: 'message' })
  field: string;

  @ApiProperty({ example: 'message must be shorter than or equal to 80 characters' })
  reason: string;
}

/** RFC 9457 problem details: the one shape of every error answer. */
export class ProblemView {
  @ApiProperty({ example: 'https://statusync.dev/problems/validation' })
  type: string;

  @ApiProperty({ example: 'Invalid request' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'One or more fields are invalid.' })
  detail: string;

  @ApiProperty({ type: FieldProblemView, isArray: true, required: false })
  errors?: FieldProblemView[];

  @ApiProperty({ example: '6f1c2b9e-3f7a-4d0e-9a51-0c7c5f3b2a10' })
  requestId: string;

  // RFC 9457 extension members some answers carry.
  @ApiProperty({ type: 'integer', required: false, example: 30, description: 'On 429 and 503: the same as the Retry-After header' })
  retryAfterSeconds?: number;

  @ApiProperty({ required: false, example: 'slack', description: 'The platform a platform error came from' })
  platform?: string;

  @ApiProperty({ required: false, example: 'token_revoked', description: "The platform's own error code" })
  platformError?: string;
}

const EXAMPLES: Record<number, { description: string; example: object }> = {
  400: {
    description: 'Invalid input; `errors` names each field and why',
    example: { type: 'https://statusync.dev/problems/validation', title: 'Invalid request', status: 400, detail: 'One or more fields are invalid.', errors: [{ field: 'message', reason: 'message must be shorter than or equal to 80 characters' }], requestId: 'req-1' },
  },
  401: {
    description: 'Missing or invalid bearer JWT',
    example: { type: 'https://statusync.dev/problems/unauthorized', title: 'Unauthorized', status: 401, detail: 'token expired', requestId: 'req-1' },
  },
  403: {
    description: 'Authenticated but not allowed (e.g. an org member where an org admin is needed)',
    example: { type: 'https://statusync.dev/problems/forbidden', title: 'Forbidden', status: 403, detail: 'Only an admin of the organisation can change its templates', requestId: 'req-1' },
  },
  404: {
    description: 'Not found (or not yours)',
    example: { type: 'https://statusync.dev/problems/not-found', title: 'Not Found', status: 404, detail: 'status update not found', requestId: 'req-1' },
  },
  409: {
    description: 'A request with the same Idempotency-Key is still being processed',
    example: { type: 'https://statusync.dev/problems/idempotency-in-progress', title: 'Conflict', status: 409, detail: 'A request with this Idempotency-Key is in progress', requestId: 'req-1' },
  },
  422: {
    description: 'Understood but not possible (platform not configured, token rejected, Idempotency-Key reused with another body)',
    example: { type: 'https://statusync.dev/problems/platform-not-configured', title: 'Platform not configured', status: 422, detail: 'slack is not configured for this user', errors: [{ field: 'platforms', reason: 'slack is not configured' }], requestId: 'req-1' },
  },
  503: {
    description: 'A dependency is unavailable; retry after `Retry-After` seconds',
    example: { type: 'https://statusync.dev/problems/unavailable', title: 'Service Unavailable', status: 503, detail: 'A dependency (database or queue) is unavailable; retry shortly.', requestId: 'req-1' },
  },
};

export interface ProblemDoc {
  description: string;
  example: object;
}

const problemResponse = (status: number, doc: ProblemDoc | undefined) =>
  ApiResponse({
    status,
    description: doc?.description ?? 'Error',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemView' }, example: doc?.example } },
  });

/** Documents the problem-details answers an endpoint can give, with an example each. */
export const problemResponses = (...statuses: number[]) => applyDecorators(...statuses.map((status) => problemResponse(status, EXAMPLES[status])));

/** The same, where a status means something else on this endpoint (409 for a taken name, say). */
export const problemResponsesWith = (specific: Record<number, ProblemDoc>, ...statuses: number[]) =>
  applyDecorators(...statuses.map((status) => problemResponse(status, specific[status] ?? EXAMPLES[status])));

import type { OpenAPIObject } from '@nestjs/swagger';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

const integerHeader = (description: string) => ({ description, schema: { type: 'integer', minimum: 0 } });

/** Response headers the gateway sends, declared once and referenced by the operations that send them. */
const HEADERS: Json = {
  'RateLimit-Limit': integerHeader('Requests allowed in the current window (draft-ietf-httpapi-ratelimit-headers)'),
  'RateLimit-Remaining': integerHeader('Requests left in the current window'),
  'RateLimit-Reset': integerHeader('Seconds until the window resets'),
  'RateLimit-Policy': { description: 'The budget, e.g. `100;w=3600` (100 requests per 3600 s)', schema: { type: 'string' } },
  'Retry-After': integerHeader('Seconds to wait before trying again'),
  Location: { description: 'Where to follow the outcome (GET /api/v1/status/updates/{id})', schema: { type: 'string' } },
  'Idempotent-Replayed': { description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key', schema: { type: 'string', enum: ['true'] } },
};
const ref = (name: string) => ({ $ref: `#/components/headers/${name}` });
const RATE_LIMIT_HEADERS = Object.fromEntries(['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy'].map((name) => [name, ref(name)]));

const TOO_MANY_REQUESTS = {
  description: 'Rate limit reached; retry after `Retry-After` seconds',
  headers: { 'Retry-After': ref('Retry-After'), ...RATE_LIMIT_HEADERS },
  content: {
    'application/problem+json': {
      schema: { $ref: '#/components/schemas/ProblemView' },
      example: { type: 'https://statusync.dev/problems/too-many-requests', title: 'Too Many Requests', status: 429, detail: 'Rate limit reached: 100 writes per hour; retry after 42 seconds', retryAfterSeconds: 42, requestId: 'req-1' },
    },
  },
};

/**
 * What @nestjs/swagger's decorators cannot say, added to the built document so that generated clients are exact:
 * - every /api/v1 operation passes RateLimitGuard: RateLimit-* on its answers, and a 429 with Retry-After;
 * - 202s carry Location and (on a replay) Idempotent-Replayed; 503s carry Retry-After;
 * - a path or query parameter declared without a type (@ApiParam with only a format) is a string on the wire;
 * - operations without a bearer requirement are public (`security: []`, said explicitly);
 * - a status update needs a message or an emoji (StatusRequests.update refuses a body with neither).
 */
export function refineDocument(document: OpenAPIObject): OpenAPIObject {
  const doc = document as Json;
  doc.components.headers = { ...doc.components.headers, ...HEADERS };
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation) continue;
      operation.security ??= [];
      typeParameters(operation);
      if (path.startsWith('/api/v1/')) refineLimited(operation);
    }
  }
  requireMessageOrEmoji(doc);
  return document;
}

function refineLimited(operation: Json): void {
  for (const [status, response] of Object.entries<Json>(operation.responses)) {
    if (status.startsWith('2')) response.headers = { ...response.headers, ...RATE_LIMIT_HEADERS };
    if (status === '202') response.headers = { ...response.headers, Location: ref('Location'), 'Idempotent-Replayed': ref('Idempotent-Replayed') };
    if (status === '503') response.headers = { ...response.headers, 'Retry-After': ref('Retry-After') };
  }
  operation.responses['429'] ??= TOO_MANY_REQUESTS;
}

/**
 * The body of POST /status/update as `anyOf` two alternatives, each StatusUpdateDto with one field required. This
 * spelling (allOf + required per branch) is the one openapi-typescript turns into an exact union of WithRequired<>.
 */
function requireMessageOrEmoji(doc: Json): void {
  const content = doc.paths['/api/v1/status/update']?.post?.requestBody?.content?.['application/json'];
  if (!content) return;
  const base = { $ref: '#/components/schemas/StatusUpdateDto' };
  doc.components.schemas.StatusUpdateBody = {
    description: 'A status update: StatusUpdateDto with at least `message` or `emoji`',
    anyOf: [
      { allOf: [base], required: ['message'] },
      { allOf: [base], required: ['emoji'] },
    ],
  };
  content.schema = { $ref: '#/components/schemas/StatusUpdateBody' };
}

function typeParameters(operation: Json): void {
  for (const parameter of (operation.parameters ?? []) as Json[]) {
    const schema = (parameter.schema ??= {}) as Json;
    if (!schema.type && !schema.$ref && !schema.allOf) schema.type = 'string';
  }
}

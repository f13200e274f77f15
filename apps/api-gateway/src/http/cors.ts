import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** What a browser client sends and may read; everything else stays invisible to cross-origin scripts. */
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'];
const EXPOSED_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy', 'Retry-After', 'Location', 'X-Request-Id', 'Idempotent-Replayed'];

/**
 * CORS for exactly the origins in CORS_ORIGINS, and none when it is empty (the default: the API is then
 * reachable from servers and tools, not from scripts on other sites). No credentials: the API authenticates
 * with bearer tokens, never cookies. Another origin gets no CORS header at all and its preflight a 404.
 * Returns how CORS was set up, for the start-up log.
 */
export function enableStrictCors(app: NestFastifyApplication, origins: string[]): string {
  if (origins.length === 0) return 'disabled (set CORS_ORIGINS to allow browser clients)';
  const allowed = new Set(origins);
  app.enableCors({
    origin: (origin: string | undefined, callback: (error: Error | null, allow: string | false) => void) =>
      callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    credentials: false,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
  return `for ${origins.join(', ')}`;
}

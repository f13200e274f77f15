import type { FastifyRequest } from 'fastify';
import { AuthUser } from './auth-user';
import { InvalidClaimsError, JwtStrategy } from './jwt.strategy';

interface PassportAttempt {
  success(user: AuthUser): void;
  fail(): void;
  error(error: Error): void;
  authenticate(request: unknown, options: object): void;
}

/**
 * Verifies the request's Bearer JWT with the API's own strategy (same algorithms, keys and claim checks), for
 * routes Fastify serves outside Nest's guards (Bull Board). Resolves null for a missing or invalid token;
 * rejects only when verification itself broke (Postgres down while resolving the user).
 */
export function verifyBearer(strategy: JwtStrategy, request: FastifyRequest): Promise<AuthUser | null> {
  return new Promise((resolve, reject) => {
    // Passport's own pattern: a per-request object whose prototype is the strategy, with the outcome callbacks.
    const attempt = Object.create(strategy) as PassportAttempt;
    attempt.success = (user) => resolve(user);
    attempt.fail = () => resolve(null);
    attempt.error = (error) => (error instanceof InvalidClaimsError ? resolve(null) : reject(error));
    attempt.authenticate(request, {});
  });
}

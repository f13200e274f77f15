/** Postgres SQLSTATEs and socket codes that mean "a dependency is down", not "the request is wrong". */
const DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);
const DOWN_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Connection is closed|connect ECONNREFUSED|Query read timeout|Stream isn't writeable|ended by the server/i;

/** True when an error means Postgres or Redis is unreachable: answered with 503 + Retry-After, not 500. */
export function isDependencyDown(error: unknown): boolean {
  for (let current = error as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown } | undefined, depth = 0; current && depth < 4; depth++) {
    if (typeof current.code === 'string' && DOWN_CODES.has(current.code)) return true;
    if (typeof current.message === 'string' && DOWN_MESSAGES.test(current.message)) return true;
    current = (current.driverError ?? current.cause) as typeof current;
  }
  return false;
}

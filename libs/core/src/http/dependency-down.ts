/** Postgres SQLSTATEs and socket codes that mean "a dependency is down", not "the request is wrong". */
const DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);
/**
 * TypeORM's error when Postgres dropped the connection in the middle of a transaction (a restart): the runner
 * was released under us, so the next statement cannot run. Nothing about the request was wrong.
 */
const DOWN_ERROR_NAMES = new Set(['QueryRunnerProviderAlreadyReleasedError']);
const DOWN_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Connection is closed|connect ECONNREFUSED|Query read timeout|Stream isn't writeable|ended by the server/i;

/** True when an error means Postgres or Redis is unreachable: answered with 503 + Retry-After, not 500. */
export function isDependencyDown(error: unknown): boolean {
  for (let current = error as { name?: unknown; code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown } | undefined, depth = 0; current && depth < 4; depth++) {
    if (typeof current.name === 'string' && DOWN_ERROR_NAMES.has(current.name)) return true;
    if (typeof current.code === 'string' && DOWN_CODES.has(current.code)) return true;
    if (typeof current.message === 'string' && DOWN_MESSAGES.test(current.message)) return true;
    current = (current.driverError ?? current.cause) as typeof current;
  }
  return false;
}

import { ProblemException } from '@statusync/core';
import { validationFailed } from '../http/validation';

/** What the provider put on the redirect back to us. */
export interface OAuthCallback {
  code: string | null;
  state: string | null;
  /** The provider's refusal (`access_denied`, `redirect_uri_mismatch`, ...), instead of a code. */
  error: string | null;
}

const MAX_LENGTH = 2048;
const PRINTABLE = /^[\x21-\x7e]+$/;

/**
 * Reads the callback's query by hand rather than through a strict DTO: providers may add parameters of their own
 * (`error_description`, `error_uri`, ...), and refusing those would strand a person mid-connection.
 */
export function parseCallbackQuery(query: Record<string, unknown>): OAuthCallback {
  const read = (name: string): string | null => {
    const value = query[name];
    if (value === undefined || value === '') return null;
    if (typeof value !== 'string' || value.length > MAX_LENGTH || !PRINTABLE.test(value)) {
      throw validationFailed([{ field: name, reason: `${name} must be a single printable value of at most ${MAX_LENGTH} characters` }]);
    }
    return value;
  };
  return { code: read('code'), state: read('state'), error: read('error') };
}

/** The callback arrived without a state we could check: nothing is stored. */
export const invalidState = (reason: string) =>
  new ProblemException(400, 'invalid-state', 'Invalid OAuth state', `The OAuth state was refused: ${reason}`, [{ field: 'state', reason }]);

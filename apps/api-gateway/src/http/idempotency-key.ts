import { validationFailed } from './validation';

const KEY = /^[\x21-\x7e]{1,255}$/;

/** The `Idempotency-Key` header: absent, or 1-255 printable ASCII characters. */
export function idempotencyKeyFrom(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  if (typeof header !== 'string' || !KEY.test(header)) {
    throw validationFailed([{ field: 'Idempotency-Key', reason: 'must be 1-255 printable ASCII characters without spaces' }]);
  }
  return header;
}

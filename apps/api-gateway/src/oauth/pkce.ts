import { createHash, randomBytes } from 'node:crypto';

/** A PKCE pair (RFC 7636, S256): the verifier stays with us, the challenge goes to the provider. */
export interface PkcePair {
  verifier: string;
  challenge: string;
}

/** 32 random bytes → a 43-character base64url verifier, the length RFC 7636 recommends. */
export function createPkcePair(): PkcePair {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier, 'ascii').digest('base64url') };
}

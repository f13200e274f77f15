import { createHash } from 'node:crypto';

/** A stable, non-secret id for a key: stored beside each ciphertext so keys can be rotated. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

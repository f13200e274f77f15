/**
 * The additional authenticated data every stored platform secret is sealed with: it binds the ciphertext to
 * its user, platform and purpose, so it cannot be moved to another row or swapped for the other secret.
 * Changing it makes every stored secret undecryptable, so it lives in one place.
 */
export function secretContext(userId: string, platform: string, purpose: 'access' | 'refresh' = 'access'): string {
  return purpose === 'access' ? `${userId}/${platform}` : `${userId}/${platform}/refresh`;
}

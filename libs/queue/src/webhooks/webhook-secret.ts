import { randomBytes } from 'node:crypto';
import { EncryptedSecret, secretContext, TokenCipher } from '@statusync/core';

/** A new signing secret as Standard Webhooks writes it: `whsec_` + base64 of 32 random bytes (the spec allows 24–64). */
export const generateWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export type WebhookSecretSlot = 'current' | 'previous';

/** Bound to the endpoint's row and slot: a ciphertext moved to another endpoint, or to the other slot, does not open. */
export const webhookSecretContext = (userId: string, webhookId: string, slot: WebhookSecretSlot): string =>
  secretContext(userId, slot === 'current' ? `webhook:${webhookId}` : `webhook:${webhookId}:previous`);

export const sealWebhookSecret = (cipher: TokenCipher, userId: string, webhookId: string, slot: WebhookSecretSlot, secret: string): EncryptedSecret =>
  cipher.encrypt(secret, webhookSecretContext(userId, webhookId, slot));

export const openWebhookSecret = (cipher: TokenCipher, userId: string, webhookId: string, slot: WebhookSecretSlot, sealed: EncryptedSecret): string =>
  cipher.decrypt(sealed, webhookSecretContext(userId, webhookId, slot));

import { EncryptedSecret, secretContext, TokenCipher } from '@statusync/core';

/** A feed URL is sealed to its user and calendar, so a ciphertext copied to another row does not open. */
const context = (userId: string, calendarId: string) => secretContext(userId, `calendar:${calendarId}`);

export const sealFeedUrl = (cipher: TokenCipher, userId: string, calendarId: string, url: string): EncryptedSecret =>
  cipher.encrypt(url, context(userId, calendarId));

export const openFeedUrl = (cipher: TokenCipher, userId: string, calendarId: string, sealed: EncryptedSecret): string =>
  cipher.decrypt(sealed, context(userId, calendarId));

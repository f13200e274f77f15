import { EncryptedSecret, secretContext, TokenCipher } from '@statusync/core';

/**
 * A provider calendar's tokens are sealed to their user, calendar and purpose (`<user>/calendar:<id>:oauth`, plus
 * `/refresh`), so neither moves to another row nor takes the other's place. Key rotation uses the same contexts.
 */
const context = (calendarId: string) => `calendar:${calendarId}:oauth`;

export const sealCalendarToken = (cipher: TokenCipher, userId: string, calendarId: string, purpose: 'access' | 'refresh', token: string): EncryptedSecret =>
  cipher.encrypt(token, secretContext(userId, context(calendarId), purpose));

export const openCalendarToken = (cipher: TokenCipher, userId: string, calendarId: string, purpose: 'access' | 'refresh', sealed: EncryptedSecret): string =>
  cipher.decrypt(sealed, secretContext(userId, context(calendarId), purpose));

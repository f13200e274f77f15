/** The status we push, in platform-neutral terms. `null` fields are left empty on the platform. */
export interface StatusToApply {
  emoji: string | null;
  message: string | null;
  limitedAvailability: boolean;
  expiresAt: Date | null;
}

/**
 * What a platform says it shows, in its own answer (the receipt of a write, or a read): evidence for drift
 * detection. `null` fields: nothing shown.
 */
export interface PlatformStatusReading {
  emoji: string | null;
  message: string | null;
  expiresAt: Date | null;
}

/** Who a token belongs to on the platform; shown to the user, never the token. */
export interface PlatformAccount {
  accountId: string;
  accountName: string;
}

/** What one platform accepts; the API validates against the strictest of all platforms. */
export interface StatusLimits {
  messageMaxLength: number;
  /** Emoji are `:shortcode:` names; some platforms also accept Unicode, this one does not. */
  emojiShortcodeOnly: boolean;
}

/**
 * One platform. Adapters are plain classes (no Nest) that map our status to the platform's fields and the
 * platform's failures to the typed errors in `platform-errors.ts`. Adding a platform = one folder + one line
 * in `platform-registry.ts`.
 */
export interface PlatformAdapter {
  readonly platform: string;
  readonly limits: StatusLimits;
  /** Checks the token against the platform; throws PlatformAuthError when it is not usable. */
  verify(token: string): Promise<PlatformAccount>;
  /** Writes the status; returns what the platform answered it now shows. */
  setStatus(token: string, status: StatusToApply): Promise<PlatformStatusReading>;
  clearStatus(token: string): Promise<PlatformStatusReading>;
  /** Reads what the platform shows now (read-back for drift). */
  readStatus(token: string): Promise<PlatformStatusReading>;
}

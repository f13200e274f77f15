import { StatusLimits } from '../platform-adapter';

/**
 * GitHub does not document a maximum; 80 characters is the figure its web UI enforces and the one commonly
 * cited (see docs/platforms.md). Emoji may be `:name:` or Unicode.
 */
export const GITHUB_LIMITS: StatusLimits = { messageMaxLength: 80, emojiShortcodeOnly: false };

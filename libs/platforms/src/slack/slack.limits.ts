import { StatusLimits } from '../platform-adapter';

/** Slack: `status_text` up to 100 characters; `status_emoji` must be a `:name:` installed on the workspace. */
export const SLACK_LIMITS: StatusLimits = { messageMaxLength: 100, emojiShortcodeOnly: true };

/**
 * `:name:` emoji shortcodes as Slack names them (lower-case letters, digits, `_ + - '`), optionally with a
 * skin tone (`:wave::skin-tone-3:`). Unicode emoji are refused because Slack only takes shortcodes.
 */
export const EMOJI_SHORTCODE = /^:[a-z0-9_+'-]{1,100}:(:skin-tone-[2-6]:)?$/;

/** Text without control characters (newlines included): neither platform shows them, so refuse them up front. */
export const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f-\u009f]*$/;

import { emojiDataset, KnownEmoji, withoutVariationSelectors } from './emoji-dataset';

/**
 * An emoji as a person gives it: a `:shortcode:` (GitHub's or Slack's name, optionally with Slack's skin tone,
 * `:wave::skin-tone-3:`) or Unicode (🍕, 👋🏽). Known emoji are mapped through emojibase-data; a shortcode the
 * dataset does not know may be a Slack workspace's custom emoji (`custom`).
 */
export type ParsedEmoji = ({ kind: 'known' } & KnownEmoji) | { kind: 'custom'; name: string; tone: number | null };

/** Slack's shape of a name: lower-case letters, digits, `_ + - '`; skin tones 2–6 (Slack) = emojibase 1–5. */
const SHORTCODE = /^:([a-z0-9_+'-]{1,100}):(?::skin-tone-([2-6]):)?$/;
/** Longest Unicode emoji sequence in the dataset is well under this; longer input is not one emoji. */
const MAX_UNICODE_LENGTH = 32;

export function parseEmoji(text: string): ParsedEmoji | null {
  const dataset = emojiDataset();
  const shortcode = SHORTCODE.exec(text);
  if (shortcode) {
    const [, name, slackTone] = shortcode;
    const tone = slackTone === undefined ? null : Number(slackTone) - 1;
    const hexcode = dataset.byName.get(name);
    if (hexcode === undefined) return { kind: 'custom', name, tone };
    if (tone !== null && !dataset.toned.has(hexcode)) return null;
    const unicode = tone === null ? dataset.unicodeOf.get(hexcode) : dataset.tonedUnicode.get(`${hexcode}/${tone}`);
    return unicode ? { kind: 'known', hexcode, tone: tone === null ? null : [tone], unicode } : null;
  }
  if (text.length === 0 || text.length > MAX_UNICODE_LENGTH) return null;
  const known = dataset.byUnicode.get(text) ?? dataset.byUnicode.get(withoutVariationSelectors(text));
  return known ? { kind: 'known', ...known } : null;
}

export interface EmojiRules {
  /** Unknown shortcodes pass (Slack overrides: a workspace's custom emoji cannot be checked from here). */
  allowCustom?: boolean;
  /** The emoji must have a Slack name (it may be sent to Slack, which takes names only). */
  needsSlackName?: boolean;
}

/** Why `text` is not an acceptable emoji under `rules`, or null when it is. */
export function emojiProblem(text: string, rules: EmojiRules = {}): string | null {
  const parsed = parseEmoji(text);
  if (!parsed) return 'must be a :shortcode: such as :coffee: or a single Unicode emoji such as ☕';
  if (parsed.kind === 'custom') {
    return rules.allowCustom ? null : `:${parsed.name}: is not a known emoji (workspace custom emoji are accepted only in a Slack override)`;
  }
  if (rules.needsSlackName && !emojiDataset().slackName.has(parsed.hexcode)) {
    return `${parsed.unicode} has no Slack name; use it in a github override only`;
  }
  return null;
}

/** GitHub takes its own `:names:` or Unicode; skin tones have no GitHub name, so toned emoji go as Unicode. */
export function githubEmoji(text: string): string {
  const parsed = parseEmoji(text);
  if (!parsed || parsed.kind === 'custom') return text;
  const name = emojiDataset().githubName.get(parsed.hexcode);
  return parsed.tone === null && name ? `:${name}:` : parsed.unicode;
}

/** Slack takes only names (`:wave::skin-tone-3:`); custom emoji go as given. */
export function slackEmoji(text: string): string {
  const parsed = parseEmoji(text);
  if (!parsed) return text;
  if (parsed.kind === 'custom') return parsed.tone === null ? `:${parsed.name}:` : `:${parsed.name}::skin-tone-${parsed.tone + 1}:`;
  const name = emojiDataset().slackName.get(parsed.hexcode);
  if (!name) return parsed.unicode;
  // Multi-person emoji carry several tones, which a Slack name cannot say: the base name is the closest.
  return parsed.tone?.length === 1 ? `:${name}::skin-tone-${parsed.tone[0] + 1}:` : `:${name}:`;
}

/**
 * One spelling per emoji, to compare what platforms show with what was asked: GitHub answers `:spiral_calendar:`
 * where Slack and the request said `:spiral_calendar_pad:`, and someone may have pasted 🗓️. Known emoji become
 * their Unicode; anything else stays as given.
 */
export function canonicalEmoji(text: string): string {
  const parsed = parseEmoji(text);
  return parsed?.kind === 'known' ? parsed.unicode : text;
}

import { readFileSync } from 'node:fs';

/** An emoji of the dataset: its base hexcode (emojibase's key) and, for a skin-toned variant, the tone(s). */
export interface KnownEmoji {
  hexcode: string;
  /** emojibase tones 1–5 (light … dark); several for multi-person emoji; null without a tone. */
  tone: number[] | null;
  /** The emoji as Unicode text, with its tone. */
  unicode: string;
}

interface DataEntry {
  hexcode: string;
  emoji: string;
  text?: string;
  skins?: { hexcode: string; emoji: string; tone?: number | number[] }[];
}

type ShortcodeFile = Record<string, string | string[]>;

/** The lookups built from emojibase-data: who sends what, in which platform's names. */
export interface EmojiDataset {
  byUnicode: Map<string, KnownEmoji>;
  /** `:name:` without colons → base hexcode, from GitHub's and Slack's (iamcal) names. */
  byName: Map<string, string>;
  /** Base hexcode → the Unicode emoji (default presentation). */
  unicodeOf: Map<string, string>;
  /** Base hexcode → GitHub's name / Slack's name (the first when there are several). */
  githubName: Map<string, string>;
  slackName: Map<string, string>;
  /** Base hexcodes that have skin-tone variants. */
  toned: Set<string>;
  /** `<base hexcode>/<tone>` → the Unicode emoji with that one skin tone. */
  tonedUnicode: Map<string, string>;
}

/** Variation selectors: people paste ❤ and ❤️ alike; both mean the same emoji. */
export const withoutVariationSelectors = (text: string) => text.replace(/[\uFE0E\uFE0F]/g, '');

const readJson = <T>(path: string): T => JSON.parse(readFileSync(require.resolve(path), 'utf8')) as T;

function build(): EmojiDataset {
  const data = readJson<DataEntry[]>('emojibase-data/en/data.json');
  const github = readJson<ShortcodeFile>('emojibase-data/en/shortcodes/github.json');
  const iamcal = readJson<ShortcodeFile>('emojibase-data/en/shortcodes/iamcal.json');
  const dataset: EmojiDataset = {
    byUnicode: new Map(),
    byName: new Map(),
    unicodeOf: new Map(),
    githubName: new Map(),
    slackName: new Map(),
    toned: new Set(),
    tonedUnicode: new Map(),
  };
  const addUnicode = (text: string | undefined, known: KnownEmoji) => {
    if (!text) return;
    dataset.byUnicode.set(text, known);
    dataset.byUnicode.set(withoutVariationSelectors(text), known);
  };
  for (const entry of data) {
    const base: KnownEmoji = { hexcode: entry.hexcode, tone: null, unicode: entry.emoji };
    dataset.unicodeOf.set(entry.hexcode, entry.emoji);
    addUnicode(entry.emoji, base);
    addUnicode(entry.text, base);
    for (const skin of entry.skins ?? []) {
      dataset.toned.add(entry.hexcode);
      const tone = skin.tone === undefined ? null : Array.isArray(skin.tone) ? skin.tone : [skin.tone];
      addUnicode(skin.emoji, { hexcode: entry.hexcode, tone, unicode: skin.emoji });
      if (tone?.length === 1) dataset.tonedUnicode.set(`${entry.hexcode}/${tone[0]}`, skin.emoji);
    }
  }
  // Slack's names first, then GitHub's: where both use a name, it means the same emoji in practice.
  for (const [file, target] of [[iamcal, dataset.slackName], [github, dataset.githubName]] as const) {
    for (const [hexcode, names] of Object.entries(file)) {
      const list = Array.isArray(names) ? names : [names];
      target.set(hexcode, list[0]);
      for (const name of list) if (!dataset.byName.has(name)) dataset.byName.set(name, hexcode);
    }
  }
  return dataset;
}

let loaded: EmojiDataset | undefined;

/** Loaded on first use (about 1 MB of JSON), once per process. */
export function emojiDataset(): EmojiDataset {
  loaded ??= build();
  return loaded;
}

import { emojiProblem, githubEmoji, parseEmoji, slackEmoji } from './emoji';

describe('emoji (emojibase-data)', () => {
  it.each([
    // input, GitHub form, Slack form
    ['🍕', ':pizza:', ':pizza:'],
    [':pizza:', ':pizza:', ':pizza:'],
    // Slack and GitHub name the calendar differently: each gets its own name, whichever was given.
    [':spiral_calendar_pad:', ':spiral_calendar:', ':spiral_calendar_pad:'],
    [':spiral_calendar:', ':spiral_calendar:', ':spiral_calendar_pad:'],
    ['🗓️', ':spiral_calendar:', ':spiral_calendar_pad:'],
    ['🗓', ':spiral_calendar:', ':spiral_calendar_pad:'],
    ['❤️', ':heart:', ':heart:'],
    ['❤', ':heart:', ':heart:'],
    // Skin tones: Slack's suffix; GitHub has no toned names, so Unicode.
    ['👋🏼', '👋🏼', ':wave::skin-tone-3:'],
    [':wave::skin-tone-3:', '👋🏼', ':wave::skin-tone-3:'],
    ['🇩🇪', ':de:', ':de:'],
  ])('%s goes to GitHub as %s and to Slack as %s', (input, github, slack) => {
    expect(emojiProblem(input)).toBeNull();
    expect(githubEmoji(input)).toBe(github);
    expect(slackEmoji(input)).toBe(slack);
  });

  it.each([
    ['coffee', /shortcode/],
    [':Coffee:', /shortcode/],
    [':bad emoji:', /shortcode/],
    [':wave::skin-tone-7:', /shortcode/],
    [':coffee::skin-tone-3:', /shortcode/],
    ['🍕🍕', /shortcode/],
    ['a', /shortcode/],
    ['', /shortcode/],
    [':party-parrot:', /not a known emoji/],
  ])('refuses %p', (input, reason) => {
    expect(emojiProblem(input)).toMatch(reason);
  });

  it('accepts an unknown shortcode only where custom emoji are allowed (Slack overrides), and sends it as given', () => {
    expect(emojiProblem(':party-parrot:', { allowCustom: true })).toBeNull();
    expect(parseEmoji(':party-parrot:')).toEqual({ kind: 'custom', name: 'party-parrot', tone: null });
    expect(slackEmoji(':party-parrot:')).toBe(':party-parrot:');
  });

  it('refuses an emoji without a Slack name where it may go to Slack', () => {
    // 🫍 (orca, Unicode 17) has no name yet on either platform: Unicode to GitHub, nothing Slack could take.
    const withoutSlackName = '\u{1FACD}';
    expect(parseEmoji(withoutSlackName)?.kind).toBe('known');
    expect(emojiProblem(withoutSlackName, { needsSlackName: true })).toMatch(/no Slack name/);
    expect(emojiProblem(withoutSlackName)).toBeNull();
    expect(githubEmoji(withoutSlackName)).toBe(withoutSlackName);
  });
});

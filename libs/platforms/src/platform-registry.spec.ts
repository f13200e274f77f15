import { GithubAdapter } from './github/github.adapter';
import { PlatformAdapter } from './platform-adapter';
import { retryAfterMsFrom } from './platform-errors';
import { isPlatformId, PLATFORMS, PlatformRegistry, STRICTEST_LIMITS, UnknownPlatformError } from './platform-registry';
import { SlackAdapter } from './slack/slack.adapter';
import { EMOJI_SHORTCODE, NO_CONTROL_CHARACTERS } from './status-format';

describe('PlatformRegistry', () => {
  const registry = PlatformRegistry.fromEndpoints({ githubGraphqlUrl: 'http://127.0.0.1:9/graphql', slackApiUrl: 'http://127.0.0.1:9/api/', timeoutMs: 1_000 });

  it('resolves every platform id to its adapter', () => {
    expect(registry.get('github')).toBeInstanceOf(GithubAdapter);
    expect(registry.get('slack')).toBeInstanceOf(SlackAdapter);
    for (const id of PLATFORMS) expect(registry.get(id).platform).toBe(id);
  });

  it.each(['gitlab', '', 'GitHub', 'constructor', '__proto__'])('throws UnknownPlatformError for %p', (id) => {
    expect(() => registry.get(id)).toThrow(UnknownPlatformError);
    expect(() => registry.get(id)).toThrow(`Unknown platform ${id}`);
  });

  const NOTHING_SHOWN = { emoji: null, message: null, expiresAt: null };

  it('serves the adapters it was built with, keyed by their platform', () => {
    const custom: PlatformAdapter = {
      platform: 'test',
      limits: { messageMaxLength: 10, emojiShortcodeOnly: false },
      verify: async () => ({ accountId: '1', accountName: 'one' }),
      setStatus: async () => NOTHING_SHOWN,
      clearStatus: async () => NOTHING_SHOWN,
      readStatus: async () => NOTHING_SHOWN,
    };
    const own = new PlatformRegistry([custom]);
    expect(own.get('test')).toBe(custom);
    expect(() => own.get('github')).toThrow(UnknownPlatformError);
  });

  it('isPlatformId accepts only known ids', () => {
    expect(PLATFORMS.every(isPlatformId)).toBe(true);
    for (const value of ['gitlab', 'toString', '', null, undefined, 1, ['github']]) expect(isPlatformId(value)).toBe(false);
  });
});

describe('STRICTEST_LIMITS', () => {
  it('is the shortest message (GitHub 80) and shortcode-only emoji (Slack)', () => {
    expect(STRICTEST_LIMITS).toEqual({ messageMaxLength: 80, emojiShortcodeOnly: true });
  });
});

describe('EMOJI_SHORTCODE', () => {
  it.each([':coffee:', ':+1:', ':-1:', ':man-raising-hand:', ":bowtie'_:", ':spiral_calendar_pad:', ':wave::skin-tone-3:', ':clock12:', `:${'a'.repeat(100)}:`])(
    'accepts %p',
    (emoji) => expect(EMOJI_SHORTCODE.test(emoji)).toBe(true),
  );

  it.each(['coffee', ':coffee', 'coffee:', '::', ':Coffee:', ':cof fee:', '☕', ':☕:', ':coffee::tea:', ':wave::skin-tone-1:', ':wave::skin-tone-7:', ':coffee:\n', ' :coffee:', `:${'a'.repeat(101)}:`, ''])(
    'refuses %p',
    (emoji) => expect(EMOJI_SHORTCODE.test(emoji)).toBe(false),
  );
});

describe('NO_CONTROL_CHARACTERS', () => {
  it.each(['In a meeting', '', 'Café — back at 3 ☕ 🏠', 'Ünïcödé ok', 'quotes "\' and <tags>'])('accepts %p', (text) => expect(NO_CONTROL_CHARACTERS.test(text)).toBe(true));

  it.each(['line\nbreak', 'carriage\rreturn', 'tab\there', 'nul\u0000', 'escape\u001b[31m', 'delete\u007f', 'next line\u0085', 'c1\u009f'])('refuses %p', (text) =>
    expect(NO_CONTROL_CHARACTERS.test(text)).toBe(false),
  );
});

describe('retryAfterMsFrom', () => {
  const now = Date.parse('2026-11-24T12:00:00Z');

  it.each([
    ['7', 7_000],
    [7, 7_000],
    ['0', 0],
    ['1.5', 1_500],
    ['120', 120_000],
  ] as const)('reads delta-seconds %p as %p ms', (value, expected) => expect(retryAfterMsFrom(value, now)).toBe(expected));

  it('reads an HTTP date as the time left until then', () => {
    expect(retryAfterMsFrom('Tue, 24 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMsFrom('Tuesday, 24-Nov-26 12:01:00 GMT', now)).toBe(60_000); // obsolete RFC 850 form
  });

  it('never returns a negative wait for a date in the past', () => {
    expect(retryAfterMsFrom('Tue, 24 Nov 2026 11:59:00 GMT', now)).toBe(0);
  });

  it.each([undefined, null, '', '   ', 'soon', 'later please', '-5', -5, '3 seconds', '0x10', '1e3', 'Infinity', 'foo 2020', 'abc 1'])(
    'returns undefined for unusable %p',
    (value) => expect(retryAfterMsFrom(value, now)).toBeUndefined(),
  );
});

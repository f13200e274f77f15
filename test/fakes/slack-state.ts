/**
 * In-memory state of the Slack fake: tokens, users (profile status, presence, DND), the
 * per-token+user profile-write windows, canned failures and the request log. Method files
 * (slack-methods.ts now; OAuth and the event emitter later) read and write it.
 */
import { FailureQueue } from './http-helpers';

export interface SlackUser {
  userId: string;
  teamId?: string;
  name?: string;
  /** Default ['users.profile:write', 'users.profile:read']. */
  scopes?: string[];
  /** When the token expires (ms epoch), as rotated tokens do; then it answers token_expired. Default: never. */
  expiresAtMs?: number;
}

export interface SlackStatus {
  status_text: string;
  status_emoji: string;
  /** Unix seconds; 0 = never. */
  status_expiration: number;
}

export const SLACK_FAILURE_MODES = ['ratelimited', 'ratelimited_no_retry_after', 'server_error', 'invalid_auth', 'token_revoked', 'slow'] as const;
export type SlackFailureMode = (typeof SLACK_FAILURE_MODES)[number];

export interface SlackFailureOptions {
  /** ratelimited: value of Retry-After (default 1). */
  retryAfterSeconds?: number;
  /** slow: delay before answering normally (default 3000). */
  delayMs?: number;
}

export interface SlackRequestRecord {
  /** Arrival time, ms epoch. */
  at: number;
  /** API method name, e.g. 'users.profile.set'. */
  method: string;
  /** Token used (Authorization: Bearer, or the form `token` param); null if none. */
  token: string | null;
  /** Media type of the body ('' if none). */
  contentType: string;
  /** Parsed body (form fields are strings; a JSON body keeps its types). */
  params: Record<string, unknown>;
  /** users.profile.set: the profile object, parsed from JSON when sent as a string. */
  profile?: Record<string, unknown>;
  /** User the token resolved to. */
  userId: string | null;
  /** HTTP status answered; null while the request is pending. */
  responseStatus: number | null;
  responseBody: unknown;
  failure: SlackFailureMode | null;
}

export interface SlackFakeOptions {
  port?: number;
  host?: string;
  latencyMs?: number;
  /** users.profile.set calls allowed per token+user per window (default 10; 0 = unlimited). */
  profileWritesPerMinute?: number;
  /** Length of the sliding profile-write window (default 60000 ms; shorten it in tests). */
  profileWriteWindowMs?: number;
  /** Workspace emoji names, with or without colons. Default: DEFAULT_SLACK_EMOJI. */
  emoji?: string[];
  /** Accept any xoxp-… token; userId = 'U' + upper-cased alphanumerics of the rest, name = the rest. */
  acceptAnyToken?: boolean;
  /** Longest status_text (default 100). */
  statusTextMaxLength?: number;
  /** Error code for an over-long status_text (default 'too_long'). */
  tooLongError?: string;
  /** Error code for an emoji the workspace does not have (default 'profile_set_failed'). */
  unknownEmojiError?: string;
  /** Workspace name returned by auth.test (default 'Fake Workspace'). */
  teamName?: string;
  /** Clock (ms epoch) for expiry, rate windows and request times. Default Date.now. */
  now?: () => number;
  /** OAuth apps known to /oauth/v2/authorize and oauth.v2.access (more with SlackFake.addOAuthClient). */
  oauthClients?: { clientId: string; clientSecret: string; redirectUrls?: string[]; tokenRotation?: boolean }[];
  /** Lifetime of an authorization code (default 10 minutes). */
  oauthCodeLifetimeMs?: number;
  /** `expires_in` of rotated user tokens (default 43200 s, Slack's 12 hours). */
  oauthTokenLifetimeSeconds?: number;
}

export interface SlackUserState {
  userId: string;
  teamId: string;
  name: string;
  deactivated: boolean;
  status: SlackStatus;
  /** Other editable profile fields (first_name, title, ...). */
  fields: Record<string, string>;
  presence: 'auto' | 'away';
  /** Unix seconds when the DND snooze ends; 0 = not snoozed. */
  snoozeEndsAt: number;
}

export const DEFAULT_SLACK_USER_SCOPES = ['users.profile:write', 'users.profile:read'];
/** Scopes granted to tokens accepted by `acceptAnyToken`. */
export const ANY_TOKEN_SCOPES = ['users.profile:write', 'users.profile:read', 'users:read', 'users:write', 'dnd:read', 'dnd:write'];
export const DEFAULT_TEAM_ID = 'T0FAKE0001';

/** A generous set of standard emoji names (without colons). */
export const DEFAULT_SLACK_EMOJI: readonly string[] = [
  'computer', 'keyboard', 'desktop_computer', 'hamburger', 'pizza', 'fork_and_knife', 'knife_fork_plate', 'sandwich', 'bento',
  'palm_tree', 'desert_island', 'beach_with_umbrella', 'sunny', 'no_entry', 'no_entry_sign', 'spiral_calendar_pad',
  'calendar', 'date', 'coffee', 'tea', 'house', 'house_with_garden', 'house_buildings', 'office', 'car', 'red_car', 'bus',
  'train', 'train2', 'bike', 'speech_balloon', 'thought_balloon', 'face_with_thermometer', 'thermometer', 'mask',
  'sneezing_face', 'pill', 'hospital', 'airplane', 'airplane_departure', 'airplane_arriving', 'globe_with_meridians',
  'earth_africa', 'earth_americas', 'earth_asia', 'headphones', 'headphone', 'microphone', 'studio_microphone', 'red_circle',
  'large_blue_circle', 'large_green_circle', 'large_yellow_circle', 'white_circle', 'black_circle', 'writing_hand', 'memo',
  'pencil', 'pencil2', 'zzz', 'sleeping', 'sleepy', 'tada', 'rocket', 'wave', 'raised_hand', 'thumbsup', '+1', 'thumbsdown',
  '-1', 'ok_hand', 'clap', 'pray', 'muscle', 'eyes', 'brain', 'bulb', 'fire', 'star', 'sparkles', 'heart', 'smile',
  'slightly_smiling_face', 'grinning', 'joy', 'thinking_face', 'sunglasses', 'nerd_face', 'face_with_head_bandage',
  'baby', 'baby_bottle', 'child', 'family', 'books', 'book', 'mortar_board', 'school', 'video_camera', 'movie_camera',
  'camera', 'phone', 'telephone_receiver', 'iphone', 'calling', 'email', 'envelope', 'inbox_tray', 'outbox_tray', 'mailbox',
  'bell', 'no_bell', 'mute', 'loud_sound', 'hourglass', 'hourglass_flowing_sand', 'alarm_clock', 'stopwatch', 'timer_clock',
  'clock1', 'clock9', 'clock12', 'hammer_and_wrench', 'wrench', 'gear', 'lock', 'key', 'bug', 'construction', 'warning',
  'rotating_light', 'white_check_mark', 'heavy_check_mark', 'x', 'question', 'exclamation', 'dart', 'chart_with_upwards_trend',
  'bar_chart', 'briefcase', 'handshake', 'busts_in_silhouette', 'bust_in_silhouette', 'man-raising-hand', 'running',
  'walking', 'runner', 'swimmer', 'weight_lifter', 'bicyclist', 'soccer', 'basketball', 'tennis', 'golf', 'ski', 'snowflake',
  'snowman', 'umbrella', 'rainbow', 'cloud', 'zap', 'christmas_tree', 'gift', 'birthday', 'balloon', 'confetti_ball',
  'mountain', 'camping', 'tent', 'beach_umbrella', 'luggage', 'passport_control', 'world_map', 'compass', 'round_pushpin',
  'pushpin', 'paperclip', 'clipboard', 'spiral_note_pad', 'notebook', 'ledger', 'page_facing_up', 'mag', 'chart',
  'moneybag', 'dollar', 'shopping_trolley', 'shopping_bags', 'stethoscope', 'syringe', 'dna', 'seedling', 'herb', 'deciduous_tree',
  'evergreen_tree', 'cactus', 'tulip', 'rose', 'sunflower', 'dog', 'cat', 'bird', 'turtle', 'snail', 'pig', 'cow', 'horse',
  'unicorn_face', 'penguin', 'beer', 'beers', 'wine_glass', 'cocktail', 'tropical_drink', 'cake', 'cookie', 'doughnut',
  'apple', 'green_apple', 'banana', 'avocado', 'burrito', 'taco', 'ramen', 'sushi', 'spaghetti', 'salad', 'popcorn',
  'video_game', 'game_die', 'musical_note', 'notes', 'guitar', 'art', 'performing_arts', 'ticket', 'trophy', 'medal',
  'sports_medal', 'first_place_medal', 'crown', 'gem', 'lightning', 'mega', 'loudspeaker', 'satellite', 'telescope',
  'microscope', 'test_tube', 'robot_face', 'alien', 'ghost', 'skull', 'poop', 'see_no_evil', 'hear_no_evil', 'speak_no_evil',
  'no_mobile_phones', 'sos', 'ok', 'cool', 'new', 'free', 'up', 'soon', 'back', 'on', 'end', 'top', 'arrow_right', 'arrow_left',
  'arrows_counterclockwise', 'recycle', 'infinity', 'eight_spoked_asterisk', 'large_orange_diamond', 'large_blue_diamond',
  'checkered_flag', 'triangular_flag_on_post', 'flag-us', 'flag-gb', 'flag-de', 'flag-fr', 'flag-jp',
];

const ANY_TOKEN = /^xoxp-([A-Za-z0-9-]+)$/;

export type TokenResolution =
  | { kind: 'ok'; user: SlackUserState; scopes: string[] }
  | { kind: 'invalid' }
  | { kind: 'revoked' }
  | { kind: 'expired' }
  | { kind: 'inactive'; user: SlackUserState; scopes: string[] };

export class SlackState {
  readonly tokens = new Map<string, { userId: string; scopes: string[] }>();
  readonly revoked = new Set<string>();
  /** Expiry (ms epoch) of tokens that expire (token rotation). */
  readonly expiries = new Map<string, number>();
  readonly users = new Map<string, SlackUserState>();
  readonly requests: SlackRequestRecord[] = [];
  readonly failures = new FailureQueue<SlackFailureMode, SlackFailureOptions>(SLACK_FAILURE_MODES);
  readonly emoji: Set<string>;
  private readonly writeWindows = new Map<string, number[]>();

  constructor(
    readonly options: SlackFakeOptions,
    readonly now: () => number,
  ) {
    this.emoji = new Set((options.emoji ?? DEFAULT_SLACK_EMOJI).map((e) => e.replace(/^:|:$/g, '')));
  }

  get teamName(): string {
    return this.options.teamName ?? 'Fake Workspace';
  }

  addToken(token: string, user: SlackUser): void {
    if (!token) throw new Error('token must be non-empty');
    if (!user.userId) throw new Error('userId must be non-empty');
    this.tokens.set(token, { userId: user.userId, scopes: [...(user.scopes ?? DEFAULT_SLACK_USER_SCOPES)] });
    this.revoked.delete(token);
    if (user.expiresAtMs === undefined) this.expiries.delete(token);
    else this.expiries.set(token, user.expiresAtMs);
    this.ensureUser(user.userId, user.teamId, user.name);
  }

  revokeToken(token: string): void {
    this.revoked.add(token);
  }

  /** The token then answers token_expired (as a rotated token past its expires_in). */
  expireToken(token: string): void {
    this.expiries.set(token, this.now());
  }

  clearTokens(): void {
    this.tokens.clear();
    this.revoked.clear();
    this.expiries.clear();
  }

  deactivate(userId: string): void {
    this.ensureUser(userId).deactivated = true;
  }

  ensureUser(userId: string, teamId?: string, name?: string): SlackUserState {
    let user = this.users.get(userId);
    if (!user) {
      user = {
        userId,
        teamId: teamId ?? DEFAULT_TEAM_ID,
        name: name ?? userId.toLowerCase(),
        deactivated: false,
        status: emptyStatus(),
        fields: {},
        presence: 'auto',
        snoozeEndsAt: 0,
      };
      this.users.set(userId, user);
    } else {
      if (teamId) user.teamId = teamId;
      if (name) user.name = name;
    }
    return user;
  }

  resolveToken(token: string): TokenResolution {
    if (this.revoked.has(token)) return { kind: 'revoked' };
    const expiresAtMs = this.expiries.get(token);
    if (expiresAtMs !== undefined && expiresAtMs <= this.now()) return { kind: 'expired' };
    let entry = this.tokens.get(token);
    if (!entry && this.options.acceptAnyToken) {
      const match = ANY_TOKEN.exec(token);
      if (match) {
        const userId = `U${match[1].replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`;
        this.ensureUser(userId, undefined, match[1]);
        entry = { userId, scopes: ANY_TOKEN_SCOPES };
      }
    }
    if (!entry) return { kind: 'invalid' };
    const user = this.ensureUser(entry.userId);
    return user.deactivated ? { kind: 'inactive', user, scopes: entry.scopes } : { kind: 'ok', user, scopes: entry.scopes };
  }

  /** Status with expiry applied (an expired status is cleared). */
  statusOf(user: SlackUserState): SlackStatus {
    const exp = user.status.status_expiration;
    if (exp > 0 && exp * 1000 <= this.now()) user.status = emptyStatus();
    return { ...user.status };
  }

  profileOf(userId: string): SlackStatus {
    const user = this.users.get(userId);
    return user ? this.statusOf(user) : emptyStatus();
  }

  /** Unix seconds when the user's snooze ends, 0 when not snoozed (expiry applied). */
  snoozeOf(user: SlackUserState): number {
    if (user.snoozeEndsAt > 0 && user.snoozeEndsAt * 1000 <= this.now()) user.snoozeEndsAt = 0;
    return user.snoozeEndsAt;
  }

  /**
   * Takes a profile-write slot in the sliding window for `key`; returns 0 when granted, else the
   * Retry-After seconds (≥1) until the oldest write leaves the window.
   */
  takeProfileWriteSlot(key: string): number {
    const limit = this.options.profileWritesPerMinute ?? 10;
    if (limit <= 0) return 0;
    const windowMs = this.options.profileWriteWindowMs ?? 60_000;
    const now = this.now();
    const recent = (this.writeWindows.get(key) ?? []).filter((t) => t > now - windowMs);
    if (recent.length >= limit) {
      this.writeWindows.set(key, recent);
      return Math.max(1, Math.ceil((recent[0] + windowMs - now) / 1000));
    }
    recent.push(now);
    this.writeWindows.set(key, recent);
    return 0;
  }

  /** Clears statuses/profiles, presence, DND, deactivations, requests, failures and rate windows; keeps tokens. */
  reset(): void {
    for (const user of this.users.values()) {
      user.status = emptyStatus();
      user.fields = {};
      user.presence = 'auto';
      user.snoozeEndsAt = 0;
      user.deactivated = false;
    }
    this.requests.length = 0;
    this.failures.clear();
    this.writeWindows.clear();
  }
}

export function emptyStatus(): SlackStatus {
  return { status_text: '', status_emoji: '', status_expiration: 0 };
}

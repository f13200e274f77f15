/**
 * Slack Web API methods implemented by the fake, as a table keyed by method name. Other method
 * files (oauth.v2.access, ...) export tables of the same shape and are merged by SlackFake.
 */
import { IncomingHttpHeaders } from 'node:http';
import { isPlainObject } from './http-helpers';
import { SlackRequestRecord, SlackState, SlackStatus, SlackUserState } from './slack-state';

export interface SlackCallContext {
  state: SlackState;
  token: string;
  user: SlackUserState;
  scopes: string[];
  params: Record<string, unknown>;
  record: SlackRequestRecord;
}

/** A method answers with a body (HTTP 200) or a full reply (e.g. 429). */
export type SlackMethodResult = Record<string, unknown> | { httpStatus: number; headers?: Record<string, string>; body: Record<string, unknown> };

/** A method called with a user or bot token (everything implemented so far). */
export interface SlackTokenMethod {
  auth?: 'token';
  /** The token needs at least one of these scopes ([] = none needed). */
  scopes: string[];
  /** Bot tokens (xoxb-) are refused with not_allowed_token_type. */
  userTokenOnly: boolean;
  handle(ctx: SlackCallContext): SlackMethodResult;
}

/** A method called without a token (e.g. oauth.v2.access, which may carry client credentials as Basic auth). */
export interface SlackPublicMethod {
  auth: 'none';
  handle(ctx: { state: SlackState; params: Record<string, unknown>; record: SlackRequestRecord; headers: IncomingHttpHeaders }): SlackMethodResult;
}

export type SlackMethod = SlackTokenMethod | SlackPublicMethod;

export function isFullReply(result: SlackMethodResult): result is { httpStatus: number; headers?: Record<string, string>; body: Record<string, unknown> } {
  return typeof result.httpStatus === 'number' && isPlainObject(result.body);
}

const fail = (error: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ ok: false, error, ...extra });

const EDITABLE_FIELDS = ['first_name', 'last_name', 'display_name', 'real_name', 'title', 'phone', 'pronouns', 'skype'];
const STATUS_FIELDS = ['status_text', 'status_emoji', 'status_expiration'];
const EMOJI_CODE = /^:([a-z0-9_+'-]+):$/;

/** auth.test, users.profile.get/set, users.setPresence/getPresence, dnd.setSnooze/endSnooze/info. */
export function slackUserMethods(): Record<string, SlackMethod> {
  return {
    'auth.test': {
      scopes: [],
      userTokenOnly: false,
      handle: ({ state, user }) => ({
        ok: true,
        url: `https://${slug(state.teamName)}.slack.com/`,
        team: state.teamName,
        user: user.name,
        team_id: user.teamId,
        user_id: user.userId,
        is_enterprise_install: false,
      }),
    },
    'users.profile.get': {
      scopes: ['users.profile:read'],
      userTokenOnly: true,
      handle: ({ state, user, params }) => {
        const target = targetUser(state, user, params.user);
        if (!target) return fail('user_not_found');
        return { ok: true, profile: profileView(state, target) };
      },
    },
    'users.profile.set': {
      scopes: ['users.profile:write'],
      userTokenOnly: true,
      handle: (ctx) => setProfile(ctx),
    },
    'users.setPresence': {
      scopes: ['users:write'],
      userTokenOnly: false,
      handle: ({ user, params }) => {
        if (params.presence !== 'auto' && params.presence !== 'away') return fail('invalid_presence');
        user.presence = params.presence;
        return { ok: true };
      },
    },
    'users.getPresence': {
      scopes: ['users:read'],
      userTokenOnly: false,
      handle: ({ state, user, params }) => {
        const target = targetUser(state, user, params.user);
        if (!target) return fail('user_not_found');
        const away = target.presence === 'away';
        return { ok: true, presence: away ? 'away' : 'active', online: !away, auto_away: false, manual_away: away, connection_count: away ? 0 : 1 };
      },
    },
    'dnd.setSnooze': {
      scopes: ['dnd:write'],
      userTokenOnly: true,
      handle: ({ state, user, params }) => {
        const minutes = toInteger(params.num_minutes);
        if (minutes === null || minutes <= 0) return fail('missing_duration');
        const now = Math.floor(state.now() / 1000);
        user.snoozeEndsAt = now + minutes * 60;
        return { ok: true, snooze_enabled: true, snooze_endtime: user.snoozeEndsAt, snooze_remaining: minutes * 60, snooze_is_indefinite: false };
      },
    },
    'dnd.endSnooze': {
      scopes: ['dnd:write'],
      userTokenOnly: true,
      handle: ({ state, user }) => {
        if (state.snoozeOf(user) === 0) return fail('snooze_not_active');
        user.snoozeEndsAt = 0;
        return { ok: true, dnd_enabled: false, next_dnd_start_ts: 1, next_dnd_end_ts: 1, snooze_enabled: false };
      },
    },
    'dnd.info': {
      scopes: ['dnd:read'],
      userTokenOnly: false,
      handle: ({ state, user, params }) => {
        const target = targetUser(state, user, params.user);
        if (!target) return fail('user_not_found');
        const end = state.snoozeOf(target);
        const now = Math.floor(state.now() / 1000);
        return {
          ok: true,
          dnd_enabled: false,
          next_dnd_start_ts: 1,
          next_dnd_end_ts: 1,
          snooze_enabled: end > 0,
          ...(end > 0 ? { snooze_endtime: end, snooze_remaining: end - now } : {}),
        };
      },
    },
  };
}

function setProfile({ state, token, user, params, record }: SlackCallContext): SlackMethodResult {
  if (params.user !== undefined && params.user !== '' && params.user !== user.userId) return fail('not_admin');

  // Profile: a JSON object (a JSON string in form bodies), or a single `name` + `value`.
  let profile: Record<string, unknown>;
  if (params.profile !== undefined) {
    let raw = params.profile;
    if (typeof raw === 'string') {
      try {
        raw = JSON.parse(raw);
      } catch {
        return fail('invalid_profile');
      }
    }
    if (!isPlainObject(raw)) return fail('invalid_profile');
    profile = raw;
  } else if (typeof params.name === 'string' && params.name !== '') {
    profile = { [params.name]: params.value ?? '' };
  } else {
    return fail('invalid_profile');
  }
  record.profile = profile;

  // Rate limit: per token+user, counted for every call that gets this far.
  const retryAfter = state.takeProfileWriteSlot(`${token}|${user.userId}`);
  if (retryAfter > 0) return { httpStatus: 429, headers: { 'retry-after': String(retryAfter) }, body: fail('ratelimited') };

  const current = state.statusOf(user);
  const next: SlackStatus = { ...current };
  if ('status_text' in profile) {
    const text = profile.status_text ?? '';
    if (typeof text !== 'string') return fail('invalid_profile');
    if ([...text].length > (state.options.statusTextMaxLength ?? 100)) return fail(state.options.tooLongError ?? 'too_long');
    next.status_text = text;
  }
  if ('status_emoji' in profile) {
    const emoji = profile.status_emoji ?? '';
    if (typeof emoji !== 'string') return fail('invalid_profile');
    if (emoji !== '') {
      const match = EMOJI_CODE.exec(emoji);
      if (!match || !state.emoji.has(match[1])) return fail(state.options.unknownEmojiError ?? 'profile_set_failed');
    }
    next.status_emoji = emoji;
  }
  if ('status_expiration' in profile) {
    const exp = profile.status_expiration === null || profile.status_expiration === '' ? 0 : toInteger(profile.status_expiration);
    if (exp === null || exp < 0) return fail('invalid_profile');
    next.status_expiration = exp;
  }
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(profile)) {
    if (STATUS_FIELDS.includes(key) || !EDITABLE_FIELDS.includes(key)) continue;
    if (typeof value !== 'string') return fail('invalid_profile');
    fields[key] = value;
  }

  if (next.status_text === '' && next.status_emoji === '') {
    next.status_expiration = 0; // both empty: the status is cleared
  } else if (next.status_emoji === '') {
    next.status_emoji = ':speech_balloon:'; // text without emoji: Slack shows the default
  }
  user.status = next;
  Object.assign(user.fields, fields);
  return { ok: true, username: user.name, profile: profileView(state, user) };
}

function targetUser(state: SlackState, self: SlackUserState, requested: unknown): SlackUserState | null {
  if (requested === undefined || requested === null || requested === '' || requested === self.userId) return self;
  return typeof requested === 'string' ? (state.users.get(requested) ?? null) : null;
}

function profileView(state: SlackState, user: SlackUserState): Record<string, unknown> {
  const status = state.statusOf(user);
  const realName = user.fields.real_name ?? user.name;
  const displayName = user.fields.display_name ?? user.name;
  const avatar = `https://secure.gravatar.com/avatar/${Buffer.from(user.userId).toString('hex')}.jpg`;
  return {
    title: user.fields.title ?? '',
    phone: user.fields.phone ?? '',
    skype: user.fields.skype ?? '',
    pronouns: user.fields.pronouns ?? '',
    real_name: realName,
    real_name_normalized: realName,
    display_name: displayName,
    display_name_normalized: displayName,
    first_name: user.fields.first_name ?? realName,
    last_name: user.fields.last_name ?? '',
    fields: {},
    status_text: status.status_text,
    status_emoji: status.status_emoji,
    status_emoji_display_info: [],
    status_expiration: status.status_expiration,
    status_text_canonical: '',
    avatar_hash: 'g000000fake0',
    image_24: avatar,
    image_48: avatar,
    image_72: avatar,
    image_192: avatar,
    image_512: avatar,
    team: user.teamId,
  };
}

/** Integer from a number or a string of digits (form bodies send strings); else null. */
function toInteger(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) ? value : null;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number.parseInt(value, 10);
  return null;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'workspace';
}

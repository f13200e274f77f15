/**
 * Live events (SSE) travel through Redis Streams, one per user and one per team, so every gateway replica
 * can serve any client and a client can resume from its `Last-Event-ID` (the stream entry id).
 * A stream keeps the last resume window of events (LIVE_RESUME_WINDOW_SECONDS, an hour by default), at most
 * (approximately) LIVE_STREAM_MAXLEN of them, and expires when idle that long: memory follows how many users are
 * active, not how many ever were.
 */
export type LiveStreamKind = 'user' | 'team';

export const liveStreamKey = (prefix: string, kind: LiveStreamKind, id: string) => `${prefix}:live:${kind}:${id}`;

/** Entries kept per stream at most, whatever their age (a large team's stream within the window). */
export const LIVE_STREAM_MAXLEN = 1000;
/** XTRIM's MINID: entries older than the resume window, by the writer's clock (a skew only shifts the window). */
export const liveTrimMinId = (nowMs: number, windowMs: number) => `${nowMs - windowMs}-0`;

/**
 * On the user's own stream: an update was accepted (pending), one platform's delivery settled, or a read-back
 * found the platform showing something new (changed by hand, say).
 */
export type UserLiveEvent =
  | { type: 'accepted'; updateId: string; state: 'pending'; platforms: string[] }
  | { type: 'delivery'; updateId: string; platform: string; state: 'succeeded' | 'failed' | 'superseded' | 'retrying'; errorCode: string | null }
  | { type: 'reading'; platform: string };

/** On each of the user's teams' streams: this member's availability may have changed (the gateway reads it). */
export interface TeamLiveEvent {
  type: 'member';
  subject: string;
}

/** The one field of every stream entry: the event as JSON. */
export const LIVE_FIELD = 'event';

/**
 * Sent instead of a replay when a client resumes from an event the stream no longer holds (older than the window,
 * or past what one replay sends): it missed events and should read the full state again.
 */
export const LIVE_RESYNC_EVENT = 'resync';

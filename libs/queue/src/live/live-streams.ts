/**
 * Live events (SSE) travel through Redis Streams, one per user and one per team, so every gateway replica
 * can serve any client and a client can resume from its `Last-Event-ID` (the stream entry id).
 * Streams are capped (approximately) at LIVE_STREAM_MAXLEN entries and expire when idle.
 */
export type LiveStreamKind = 'user' | 'team';

export const liveStreamKey = (prefix: string, kind: LiveStreamKind, id: string) => `${prefix}:live:${kind}:${id}`;

/** Entries kept per stream: how far back a reconnecting client can resume. */
export const LIVE_STREAM_MAXLEN = 1000;
/** An idle stream (no event for this long) is dropped. */
export const LIVE_STREAM_TTL_SECONDS = 24 * 3600;

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

import type { RedisClient } from '@statusync/core';
import { compareStreamIds } from './stream-ids';

/** Most entries one resume replays; a client further behind is told to resync instead. */
export const MAX_REPLAY = 1000;

/** What a client resuming after `afterId` gets before the live entries. */
export type Resume = { kind: 'replay'; entries: [string, string[]][] } | { kind: 'resync' };

/** The fields of XINFO STREAM a resume needs. */
export interface StreamInfo {
  firstId: string | null;
  lastGeneratedId: string;
}

/**
 * Whether the stream may have lost entries after `afterId`. A client's id was an entry of this stream; if it is now
 * older than the first entry left, it was trimmed, or the stream expired and began again since: either way what came
 * after it may be gone. (When no entry is left, compare with the last id ever made.) An id at exactly the last entry
 * trimmed also answers yes, which Redis cannot tell apart: a needless resync costs a client one read, a missed one a
 * stale page.
 */
export function trimmedSince(info: StreamInfo, afterId: string): boolean {
  return compareStreamIds(afterId, info.firstId ?? info.lastGeneratedId) < 0;
}

/**
 * Reads, in one round trip, the stream's trim state and what came after `afterId`. A stream that is gone (idle past its
 * TTL), trimmed past `afterId`, or holding more than one replay sends, answers resync.
 */
export async function resumeAfter(redis: RedisClient, key: string, afterId: string): Promise<Resume> {
  const answers = await redis.pipeline().xinfo('STREAM', key).xrange(key, `(${afterId}`, '+', 'COUNT', MAX_REPLAY + 1).exec();
  const [[infoError, info], [rangeError, entries]] = answers ?? [[new Error('no answer'), null], [null, null]];
  if (rangeError) throw rangeError;
  // XINFO on a missing key is an error ("no such key"): the stream expired, with whatever came after afterId.
  if (infoError) return { kind: 'resync' };
  const replay = entries as [string, string[]][];
  if (trimmedSince(streamInfoOf(info as unknown[]), afterId) || replay.length > MAX_REPLAY) return { kind: 'resync' };
  return { kind: 'replay', entries: replay };
}

/** XINFO STREAM's flat [name, value, …] answer, the fields a resume reads. */
export function streamInfoOf(reply: unknown[]): StreamInfo {
  const field = (name: string) => reply[reply.indexOf(name) + 1];
  const first = field('first-entry') as [string, string[]] | null;
  return { firstId: first ? first[0] : null, lastGeneratedId: String(field('last-generated-id')) };
}

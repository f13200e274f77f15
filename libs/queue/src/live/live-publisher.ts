import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig, createRedisClient, RedisClient } from '@statusync/core';
import type { ChainableCommander } from 'ioredis';
import { LIVE_FIELD, LIVE_STREAM_MAXLEN, liveStreamKey, liveTrimMinId, TeamLiveEvent, UserLiveEvent } from './live-streams';

/** Who an event is about: the user, their subject (named in team events) and the teams they belong to. */
export interface LiveAudience {
  userId: string;
  subject: string;
  teamIds: string[];
}

/**
 * Appends live events to the user's stream and to each of their teams' streams. Best effort: a lost event
 * costs a client one refresh, never a status, so a Redis failure is logged and swallowed here (the status
 * itself is safe in Postgres and the queue).
 */
@Injectable()
export class LivePublisher implements OnApplicationShutdown {
  private readonly logger = new Logger(LivePublisher.name);
  private readonly redis: RedisClient;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    // Offline queue off: while Redis is down a publish fails at once instead of piling up in memory. Auto-pipelining:
    // the events of every job settled in the same turn of the event loop go out in one write (one round trip).
    this.redis = createRedisClient(config.redis, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true });
    this.redis.on('error', () => undefined);
    this.redis.connect().catch(() => undefined);
  }

  /**
   * Sends the stream writes as single commands (no MULTI: an event and its EXPIRE need not be atomic), so the
   * client's auto-pipelining batches them with every other event of the same turn.
   */
  async publish(audience: LiveAudience, event: UserLiveEvent): Promise<void> {
    try {
      const now = Date.now();
      await Promise.all(this.entries(audience, event).flatMap(([key, body]) => writeEntry(this.redis, key, body, now, this.config.live.resumeWindowMs)));
    } catch (error) {
      this.logger.warn({ err: error, userId: audience.userId, type: event.type }, 'live event not published');
    }
  }

  /**
   * Adds the event's stream writes to a batch someone else sends: the gateway sends them with the update's jobs,
   * in one Redis round trip. The keys carry the queue prefix, so with a `{…}` prefix they share the queues' slot.
   */
  appendTo(batch: ChainableCommander, audience: LiveAudience, event: UserLiveEvent): void {
    const now = Date.now();
    for (const [key, body] of this.entries(audience, event)) writeEntry(batch, key, body, now, this.config.live.resumeWindowMs);
  }

  /** The streams an event goes to (the user's, each of their teams') with what each gets. */
  private entries(audience: LiveAudience, event: UserLiveEvent): [string, object][] {
    const prefix = this.config.redis.queuePrefix;
    const teamEvent: TeamLiveEvent = { type: 'member', subject: audience.subject };
    return [
      [liveStreamKey(prefix, 'user', audience.userId), event],
      ...audience.teamIds.map((teamId): [string, object] => [liveStreamKey(prefix, 'team', teamId), teamEvent]),
    ];
  }

  /** Closed after the HTTP drain and the workers' last jobs (beforeApplicationShutdown), which still use it. */
  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}

/** The commands of one stream entry, on a client (auto-pipelined) or a batch: they need not be atomic. */
interface StreamWriter {
  xadd(key: string, maxlen: 'MAXLEN', approximately: '~', count: number, id: '*', field: string, value: string): unknown;
  xtrim(key: string, minid: 'MINID', threshold: string): unknown;
  expire(key: string, seconds: number): unknown;
}

/**
 * Appends `body` (count-capped cheaply, approximately), then trims what is older than the resume window exactly: an
 * approximate trim removes only whole nodes of 100 entries, which a user's stream rarely fills. Then the idle TTL: a
 * stream with no event for the whole window holds nothing to resume from.
 */
function writeEntry(writer: StreamWriter, key: string, body: object, nowMs: number, windowMs: number): unknown[] {
  return [
    writer.xadd(key, 'MAXLEN', '~', LIVE_STREAM_MAXLEN, '*', LIVE_FIELD, JSON.stringify(body)),
    writer.xtrim(key, 'MINID', liveTrimMinId(nowMs, windowMs)),
    writer.expire(key, windowMs / 1000),
  ];
}

import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig, createRedisClient, RedisClient } from '@statusync/core';
import type { ChainableCommander } from 'ioredis';
import { LIVE_FIELD, LIVE_STREAM_MAXLEN, LIVE_STREAM_TTL_SECONDS, liveStreamKey, TeamLiveEvent, UserLiveEvent } from './live-streams';

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
export class LivePublisher implements OnModuleDestroy {
  private readonly logger = new Logger(LivePublisher.name);
  private readonly redis: RedisClient;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    // Offline queue off: while Redis is down a publish fails at once instead of piling up in memory.
    this.redis = createRedisClient(config.redis, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.redis.on('error', () => undefined);
    this.redis.connect().catch(() => undefined);
  }

  async publish(audience: LiveAudience, event: UserLiveEvent): Promise<void> {
    const batch = this.redis.multi();
    this.appendTo(batch, audience, event);
    try {
      await batch.exec();
    } catch (error) {
      this.logger.warn({ err: error, userId: audience.userId, type: event.type }, 'live event not published');
    }
  }

  /**
   * Adds the event's stream writes to a batch someone else sends: the gateway sends them with the update's jobs,
   * in one Redis round trip. The keys carry the queue prefix, so with a `{…}` prefix they share the queues' slot.
   */
  appendTo(batch: ChainableCommander, audience: LiveAudience, event: UserLiveEvent): void {
    const prefix = this.config.redis.queuePrefix;
    const teamEvent: TeamLiveEvent = { type: 'member', subject: audience.subject };
    const entries: [string, object][] = [
      [liveStreamKey(prefix, 'user', audience.userId), event],
      ...audience.teamIds.map((teamId): [string, object] => [liveStreamKey(prefix, 'team', teamId), teamEvent]),
    ];
    for (const [key, body] of entries) {
      batch.xadd(key, 'MAXLEN', '~', LIVE_STREAM_MAXLEN, '*', LIVE_FIELD, JSON.stringify(body));
      batch.expire(key, LIVE_STREAM_TTL_SECONDS);
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.redis.disconnect();
  }
}
